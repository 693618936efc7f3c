"""OpenAPI enums named after their choices class (issue 13 point 9: choice fields are enums).

A :class:`~trackyoursheets.api.fields.ChoiceField` of a ``TextChoices``/``IntegerChoices`` class
publishes an ``enum``; :func:`name_enum` remembers the class's name for that choice set and
:func:`postprocess_named_enums` (a postprocessing hook that runs before drf-spectacular's
``postprocess_schema_enums``) moves each such enum into one component named after the class
(``EmployeeStatusEnum``), so choice sets that share a field name (``status``) never collide.
Enums of model fields and plain choice lists are left to drf-spectacular's hook.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from drf_spectacular.plumbing import ResolvedComponent, safe_ref

#: ``x-spec-enum-id`` (the hash of a choice set) -> its component name
_NAMES: dict[str, str] = {}
#: component name -> the hash it was given to (a second class of the same name gets its app's prefix)
_TAKEN: dict[str, str] = {}

_BLANK_NULL: dict[str | None, tuple[str, dict]] = {
    "": ("BlankEnum", {"enum": [""]}),
    None: ("NullEnum", {"enum": [None]}),
}


def name_enum(schema: dict, choices_class) -> None:
    """Name the enum ``schema`` (from ``build_choice_field``) after ``choices_class``."""
    enum_id = schema.get("x-spec-enum-id")
    if not enum_id or enum_id in _NAMES:
        return
    name = f"{choices_class.__name__}Enum"
    if _TAKEN.get(name, enum_id) != enum_id:
        app = choices_class.__module__.split(".")[0].title().replace("_", "")
        name = f"{app}{choices_class.__name__}Enum"
    _TAKEN.setdefault(name, enum_id)
    _NAMES[enum_id] = name


def _property_maps(schema) -> Iterator[MutableMapping]:
    if isinstance(schema, list):
        for item in schema:
            yield from _property_maps(item)
    elif isinstance(schema, dict):
        if isinstance(schema.get("properties"), dict):
            yield schema["properties"]
        for key in ("oneOf", "allOf", "anyOf"):
            yield from _property_maps(schema.get(key, []))


def _named(prop: dict, generator) -> dict | None:
    """``prop`` with its enum replaced by a reference to its named component, or None."""
    name = _NAMES.get(prop.get("x-spec-enum-id", ""))
    if name is None:
        return None
    values = prop["enum"]
    enum_schema = {"enum": [v for v in values if v not in ("", None)]}
    if "type" in prop:
        enum_schema["type"] = prop["type"]
    rest = {k: v for k, v in prop.items() if k not in ("type", "enum", "x-spec-enum-id")}
    description = rest.get("description", "")
    if description.startswith("*"):
        enum_schema["description"] = rest.pop("description")
    elif "\n\n*" in description:
        text, _, listed = description.partition("\n\n*")
        rest["description"] = text
        enum_schema["description"] = "*" + listed
    refs = [_register(generator, name, enum_schema)]
    refs += [_register(generator, *_BLANK_NULL[v]) for v in ("", None) if v in values]
    rest.update(refs[0] if len(refs) == 1 else {"oneOf": refs})
    return safe_ref(rest)


def _register(generator, name: str, schema: dict) -> dict:
    component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
    generator.registry.register_on_missing(component)
    return component.ref


def postprocess_named_enums(result, generator, **kwargs):
    """Replace every enum of a named choices class by a reference to its component."""
    schemas = result.get("components", {}).get("schemas", {})
    for properties in _property_maps(list(schemas.values())):
        for prop_name, prop in list(properties.items()):
            if not isinstance(prop, dict):
                continue
            if prop.get("type") == "array" and isinstance(prop.get("items"), dict) and "enum" in prop["items"]:
                named = _named(prop["items"], generator)
                if named is not None:
                    prop["items"] = named
            elif "enum" in prop:
                named = _named(prop, generator)
                if named is not None:
                    properties[prop_name] = named
    return result


__all__ = ["name_enum", "postprocess_named_enums"]
