/* Commission pages (issue 6): charts and the analytics table.
 *
 * - Every <canvas data-chart="ID"> is drawn with Chart.js (static/vendor/chartjs) from the JSON
 *   of <script type="application/json" id="ID"> (Django's json_script). Amounts arrive as decimal
 *   strings; they become numbers only to be drawn.
 * - On the analytics page, changing "Group by" reads /v1/reports/commissions with the session
 *   (a GET: no CSRF token needed) and redraws the table and the chart without a reload. The form
 *   still works without JavaScript.
 * Text is always set with textContent: labels are user data and are never parsed as HTML.
 */
(function () {
  "use strict";

  var charts = {};

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* "1234567.5" -> "1,234,567.50" without going through a float */
  function formatAmount(text) {
    var value = String(text);
    var negative = value.charAt(0) === "-";
    if (negative) value = value.slice(1);
    var parts = value.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ((parts[1] || "") + "00").slice(0, 2);
    return (negative ? "-" : "") + whole + "." + cents;
  }

  /* the server's one money format (trackyoursheets/web/formats.py): prefix, digits, suffix */
  var affixes = { prefix: null, suffix: "" };
  function money(currency, text) {
    var amount = formatAmount(text);
    var negative = amount.charAt(0) === "-";
    if (negative) amount = amount.slice(1);
    var prefix = affixes.prefix === null ? currency + "\u00a0" : affixes.prefix;
    return (negative ? "-" : "") + prefix + amount + affixes.suffix;
  }
  function learnAffixes(source) {
    if (source && source.money_prefix !== undefined) {
      affixes.prefix = source.money_prefix;
      affixes.suffix = source.money_suffix || "";
    }
  }

  function draw(canvas, data) {
    if (!window.Chart || !data) return;
    if (charts[canvas.id]) charts[canvas.id].destroy();
    var currency = data.currency;
    learnAffixes(data);
    charts[canvas.id] = new window.Chart(canvas, {
      type: canvas.dataset.chartType || "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Premium", data: data.premium.map(Number), backgroundColor: "#2f6fdf" },
          { label: "Producer commission", data: data.producer_amount.map(Number), backgroundColor: "#1f9d6b" }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return money(currency, String(v)); } } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var source = ctx.datasetIndex === 0 ? data.premium : data.producer_amount;
                return ctx.dataset.label + ": " + money(currency, source[ctx.dataIndex]);
              }
            }
          }
        }
      }
    });
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      draw(canvases[i], readJson(canvases[i].dataset.chart));
    }
  }

  /* ---- the analytics page ---------------------------------------------------------------- */

  function cell(row, text, numeric) {
    var td = document.createElement("td");
    if (numeric) td.className = "num money";
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function renderTable(table, report) {
    var currency = report.currency;
    learnAffixes({ money_prefix: table.dataset.moneyPrefix, money_suffix: table.dataset.moneySuffix });
    var producerUrl = table.dataset.producerUrl || "";
    var body = table.querySelector("tbody");
    var rows = document.createDocumentFragment();
    report.groups.forEach(function (group) {
      var tr = document.createElement("tr");
      tr.dataset.key = group.key;
      var first = cell(tr, "", false);
      if (report.group_by === "producer" && group.id !== null && producerUrl) {
        var link = document.createElement("a");
        link.href = producerUrl.replace(/0$/, String(group.id));
        link.textContent = group.label;
        first.appendChild(link);
      } else {
        first.textContent = group.label;
      }
      cell(tr, money(currency, group.premium), true);
      cell(tr, money(currency, group.gross_commission), true);
      cell(tr, money(currency, group.producer_amount), true);
      cell(tr, String(group.count), false).className = "num";
      rows.appendChild(tr);
    });
    if (!report.groups.length) {
      var empty = document.createElement("tr");
      cell(empty, "No lines match.", false).colSpan = 5;
      rows.appendChild(empty);
    }
    body.replaceChildren(rows);
    var foot = table.querySelectorAll("tfoot td");
    if (foot.length === 4) {
      foot[0].textContent = money(currency, report.totals.premium);
      foot[1].textContent = money(currency, report.totals.gross_commission);
      foot[2].textContent = money(currency, report.totals.producer_amount);
      foot[3].textContent = String(report.totals.count);
    }
  }

  function setupAnalytics() {
    var form = document.getElementById("analytics-form");
    var table = document.getElementById("analytics-table");
    if (!form || !table) return;
    var groupBy = form.querySelector("select[name=group_by]");
    var status = document.querySelector("[data-report-status]");
    if (!groupBy) return;

    groupBy.addEventListener("change", function () {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (value !== "") params.append(key, value);
      });
      if (status) status.textContent = "Loading…";
      fetch(form.dataset.apiUrl + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) throw new Error("The report could not be loaded (" + response.status + ").");
          return response.json();
        })
        .then(function (report) {
          renderTable(table, report);
          var label = groupBy.options[groupBy.selectedIndex].text;
          document.querySelectorAll("[data-group-label]").forEach(function (node) {
            node.textContent = node.tagName === "TH" ? label : label.toLowerCase();
          });
          var canvas = document.getElementById("group-chart");
          if (canvas) {
            draw(canvas, {
              currency: report.currency,
              labels: report.groups.map(function (g) { return g.label; }),
              premium: report.groups.map(function (g) { return g.premium; }),
              producer_amount: report.groups.map(function (g) { return g.producer_amount; })
            });
          }
          window.history.replaceState(null, "", "?" + params.toString());
          if (status) status.textContent = "";
        })
        .catch(function (error) {
          if (status) status.textContent = error.message + " Use the Show button instead.";
        });
    });
  }

  function start() {
    drawAll();
    setupAnalytics();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
