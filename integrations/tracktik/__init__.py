"""The TrackTik connector (issue 19; DESIGN §7): pulls employees, sites, positions and approved
shifts from an organisation's TrackTik server into ``hr`` and ``timetracking`` through their
services; the weekly billing report, the SCR coverage match and invoice reconciliation."""
