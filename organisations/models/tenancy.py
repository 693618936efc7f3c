"""Users, organisations and the tenancy mechanism (TenantQuerySet, TenantModel)."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trackyoursheets.limits import date_out_of_range, text_too_long

from ..plans import FEATURES, PlanCode, get_plan


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known IANA timezone."), params={"value": value})


currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. USD."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Identified by email; may belong to several organisations."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can log into the Django admin."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def default_feature_toggles() -> dict:
    return {}


def default_rate_limit() -> int:
    return settings.API_DEFAULT_RATE_LIMIT_PER_MINUTE


class Organisation(models.Model):
    """A tenant. Its plan sets the seat, workspace and agent limits and the default features."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    plan = models.CharField(_("plan"), max_length=20, choices=PlanCode.choices, default=PlanCode.STARTER)
    feature_toggles = models.JSONField(
        _("feature toggles"),
        default=default_feature_toggles,
        blank=True,
        help_text=_('Overrides of the plan\'s features, e.g. {"webhooks": false}.'),
    )
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[currency_validator])
    api_rate_limit_per_minute = models.PositiveIntegerField(
        _("API rate limit per minute"),
        default=default_rate_limit,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: a new value whenever one of its offices is saved or deleted (``organisations.office_zones``
    #: keys its per-process cache of the offices' time zones by it); never written by ``save()``
    offices_version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """An update writes every field but ``offices_version``, which only an office's save or
        delete changes (an instance read before that must not write its old value back)."""
        updating = not self._state.adding and not args and not kwargs.get("force_insert")
        if updating and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname not in deferred and field.name != "offices_version"
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.feature_toggles, dict):
            raise ValidationError({"feature_toggles": _("Must be an object of feature name to true/false.")})
        unknown = sorted(set(self.feature_toggles) - set(FEATURES))
        if unknown:
            raise ValidationError(
                {"feature_toggles": _("Unknown features: %(names)s.") % {"names": ", ".join(unknown)}}
            )
        if any(not isinstance(v, bool) for v in self.feature_toggles.values()):
            raise ValidationError({"feature_toggles": _("Every toggle must be true or false.")})

    @property
    def plan_details(self):
        return get_plan(self.plan)

    @property
    def features(self) -> dict[str, bool]:
        """Effective features: the plan's, then the organisation's toggles (never beyond the plan)."""
        included = self.plan_details.features
        return {name: (name in included) and bool(self.feature_toggles.get(name, True)) for name in FEATURES}

    def has_feature(self, name: str) -> bool:
        return self.features.get(name, False)


class TenantQuerySet(models.QuerySet):
    """Query vocabulary shared by every tenant-owned model."""

    def for_organisation(self, organisation: Organisation | int) -> Self:
        organisation_id = organisation if isinstance(organisation, int) else organisation.pk
        return self.filter(organisation_id=organisation_id)

    def visible_to(self, actor) -> Self:
        """Rows of the actor's organisation that the actor's role may see.

        The default lets anyone in the organisation see every row; models with
        row-level rules override :meth:`restrict_to`. A project viewer (issue 15 point 4) sees
        nothing unless the model says which of its rows they see (:meth:`viewer_rows`): a new role
        inherits no member's rights by default.
        """
        rows = self.for_organisation(actor.organisation)
        if getattr(actor, "is_viewer", False):
            return rows.viewer_rows(actor)
        return rows.restrict_to(actor)

    def restrict_to(self, actor) -> Self:
        return self

    def viewer_rows(self, actor) -> Self:
        """The rows a project viewer sees: none, unless the model grants some (their projects)."""
        return self.none()


class TenantModel(models.Model):
    """Abstract base for every row that belongs to one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=True, verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    #: TextFields that hold more than free text (an uploaded CSV, encrypted secrets): no length cap
    unbounded_text_fields: tuple[str, ...] = ()

    def clean_fields(self, exclude=None) -> None:
        """Django's field checks, then the documented bounds (issue 13): free text at most
        5,000 characters, instants in 2000-2100, dates in 1900-2100."""
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            value = getattr(self, field.attname)
            problem = None
            if isinstance(field, models.TextField) and field.name not in self.unbounded_text_fields:
                problem = text_too_long(value)
            elif isinstance(field, models.DateField) and not (field.auto_now or field.auto_now_add):
                problem = date_out_of_range(value)
            if problem:
                errors[field.name] = [problem]
        if errors:
            raise ValidationError(errors)

    def _check_same_organisation(self, **related) -> dict:
        """Errors for related rows that belong to another organisation."""
        errors = {}
        for field, obj in related.items():
            if obj is not None and obj.organisation_id != self.organisation_id:
                errors[field] = _("Not found in this organisation.")
        return errors
