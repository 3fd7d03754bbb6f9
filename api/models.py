"""Pydantic models of the API: create / update / public shapes, derived from ``graph.schema``.

CI classes, relationship types and every attribute payload are generated from the schema
declarations, so adding a class or an attribute there changes the API (and its OpenAPI
document) without touching this module.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from api.impact import ChangeType, Effect, ImpactState
from graph.model import CI, ConfigVersion, HistoryEvent, Relationship
from graph.schema import CI_CLASSES, CLASSES, MANUAL_ATTRS, REL_TYPES, Attr, AttrType, CIClass

T = TypeVar("T")

CIClassName = enum.StrEnum("CIClassName", {c.name: c.name for c in CI_CLASSES})  # type: ignore[misc]
RelTypeName = enum.StrEnum("RelTypeName", {r.name: r.name for r in REL_TYPES})  # type: ignore[misc]

_PY: dict[AttrType, Any] = {
    AttrType.STR: str,
    AttrType.INT: int,
    AttrType.FLOAT: float,
    AttrType.BOOL: bool,
    AttrType.LIST: list[str],
}
Criticality = Literal["low", "medium", "high", "critical"]
_MAX_TEXT = 4096


def _field_type(attr: Attr) -> Any:
    if attr.name == "criticality":
        return Criticality | None
    base = _PY[attr.type]
    if base is str:
        return Annotated[str, Field(max_length=_MAX_TEXT)] | None
    return base | None


def _attrs_model(name: str, attrs: tuple[Attr, ...], doc: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        a.name: (_field_type(a), Field(None, description=a.description or None)) for a in attrs
    }
    model = create_model(name, __config__=ConfigDict(extra="forbid"), **fields)
    model.__doc__ = doc
    return model


# Attribute payloads, one per class (documentation of what a CI of that class carries).
ATTRIBUTE_MODELS: dict[str, type[BaseModel]] = {
    c.name: _attrs_model(
        f"{c.name}Attributes", c.all_attrs, f"Attributes of a {c.name}: {c.description}"
    )
    for c in CI_CLASSES
}

ManualAttrsUpdate = _attrs_model(
    "ManualAttrsUpdate",
    MANUAL_ATTRS,
    "Attributes people own on every CI. Omitted fields stay; null removes a value.",
)

# Classes people may create by hand: the authored ones, and applications discovery missed.
CREATABLE: tuple[CIClass, ...] = tuple(c for c in CI_CLASSES if c.authored) + (
    CLASSES["Application"],
)


def _create_model(cls: CIClass) -> type[BaseModel]:
    settable = tuple(a for a in cls.all_attrs if a.name != "name")
    fields: dict[str, Any] = {
        "ci_class": (Literal[cls.name], Field(description="CI class to create")),
        "name": (Annotated[str, Field(min_length=1, max_length=200)], ...),
    }
    fields.update(
        {a.name: (_field_type(a), Field(None, description=a.description or None)) for a in settable}
    )
    model = create_model(f"{cls.name}Create", __config__=ConfigDict(extra="forbid"), **fields)
    model.__doc__ = f"Create a {cls.name} by hand: {cls.description}"
    return model


CREATE_MODELS: tuple[type[BaseModel], ...] = tuple(_create_model(c) for c in CREATABLE)
CICreate = Annotated[Union[CREATE_MODELS], Field(discriminator="ci_class")]  # type: ignore[valid-type]  # noqa: UP007


class Provenance(BaseModel):
    source: str
    run_id: str | None
    confirmed_at: datetime
    actor: str | None = None


class CIPublic(BaseModel):
    uid: str
    ci_class: str
    name: str
    status: str
    review_state: str
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    attributes: dict[str, Any]
    provenance: dict[str, Provenance] = Field(
        description="per attribute: the source of its value, the run and the time it was last confirmed"
    )
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_run: str | None = None
    changed_at: datetime | None = None
    missing_runs: int = 0
    merged_into: str | None = None
    authored: bool = False

    @classmethod
    def of(cls, ci: CI) -> CIPublic:
        return cls.model_validate(ci.to_json())


class RelationshipPublic(BaseModel):
    type: str
    source: str
    target: str
    attributes: dict[str, Any]
    status: str
    manual: bool
    sources: list[str]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    created_by: str | None = None

    @classmethod
    def of(cls, rel: Relationship) -> RelationshipPublic:
        return cls.model_validate(rel.to_json())


class HistoryEventPublic(BaseModel):
    subject: str
    subject_kind: str
    kind: str
    changes: dict[str, list[Any]]
    source: str
    actor: str
    at: datetime
    related: list[str] = []
    ci_class: str | None = None

    @classmethod
    def of(cls, event: HistoryEvent) -> HistoryEventPublic:
        return cls.model_validate(event.to_json())


class PageOf(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class SubgraphPublic(BaseModel):
    cis: list[CIPublic]
    relationships: list[RelationshipPublic]


class PathPublic(BaseModel):
    uids: list[str]
    relationships: list[RelationshipPublic]


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["approved", "rejected"]


class MergeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"keep": "dev:a", "drop": "dev:b"}]}
    )
    keep: Annotated[str, Field(min_length=1, max_length=1000)]
    drop: Annotated[str, Field(min_length=1, max_length=1000)]


class LinkCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"source": "bs:shop", "type": "DEPENDS_ON", "target": "dev:web1/app/nginx"}
            ]
        },
    )
    source: Annotated[str, Field(min_length=1, max_length=1000)]
    type: RelTypeName
    target: Annotated[str, Field(min_length=1, max_length=1000)]
    attributes: dict[str, str | int | float | bool | list[str] | None] = Field(default_factory=dict)


class ReviewQueue(BaseModel):
    since: datetime | None
    new: list[CIPublic]
    changed: list[CIPublic]
    missing: list[CIPublic]
    changes: dict[str, list[HistoryEventPublic]] = Field(description="the changes per changed CI")


class ConfigVersionSummary(BaseModel):
    device_uid: str
    version: int
    sha256: str
    format: str
    run_id: str | None
    at: datetime

    @classmethod
    def of(cls, v: ConfigVersion) -> ConfigVersionSummary:
        return cls.model_validate(v.to_json())


class ConfigVersionPublic(ConfigVersionSummary):
    text: str


class ConfigDiff(BaseModel):
    device_uid: str
    from_version: int
    to_version: int
    diff: str = Field(description="unified diff")


# --------------------------------------------------------------------------- impact

_IMPACT_EXAMPLE: dict[str, Any] = {"cis": ["dev:access1"], "change_type": "reboot"}


class ImpactRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_IMPACT_EXAMPLE]})
    cis: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=1000)]],
        Field(min_length=1, max_length=100),
    ]
    change_type: ChangeType


class ImpactPathPublic(BaseModel):
    nodes: list[str]
    rels: list[str] = Field(description="rels[i] joins nodes[i] and nodes[i+1]")


class ImpactedCIPublic(BaseModel):
    uid: str
    ci_class: str | None
    name: str | None
    state: ImpactState
    changed: bool
    criticality: str | None
    paths: list[ImpactPathPublic]


class ImpactSummary(BaseModel):
    outage: int
    degraded: int
    services_outage: int
    services_degraded: int


class ImpactResponse(BaseModel):
    change_type: ChangeType
    effect: Effect = Field(
        description="down: the changed CIs stop; at_risk: worst case if the change fails"
    )
    changed: list[str]
    unknown: list[str] = Field(description="requested CIs that do not exist (or are retired)")
    summary: ImpactSummary
    services: list[ImpactedCIPublic]
    impacted: list[ImpactedCIPublic]


class SpofResponse(BaseModel):
    service: str
    spofs: list[CIPublic]


# --------------------------------------------------------------------------- changes


class ChangeRequestCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cis": ["dev:access1"],
                    "change_type": "reboot",
                    "window_start": "2026-12-01T22:00:00Z",
                    "window_end": "2026-12-01T23:00:00Z",
                    "description": "IOS upgrade",
                }
            ]
        },
    )
    cis: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=1000)]],
        Field(min_length=1, max_length=100),
    ]
    change_type: ChangeType
    window_start: datetime
    window_end: datetime
    description: Annotated[str, Field(max_length=_MAX_TEXT)] = ""

    @model_validator(mode="after")
    def _window(self) -> ChangeRequestCreate:
        if self.window_start.tzinfo is None or self.window_end.tzinfo is None:
            raise ValueError("window times need a time zone")
        if self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self


class ChangeDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Annotated[str, Field(max_length=_MAX_TEXT)] = ""


class ServiceImpact(BaseModel):
    uid: str
    name: str | None
    state: ImpactState
    criticality: str | None


class ChangeRequestPublic(BaseModel):
    id: str
    cis: list[str]
    change_type: ChangeType
    window_start: datetime
    window_end: datetime
    description: str
    status: Literal["pending", "approved", "rejected"]
    created_by: str
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None
    risk_score: float = Field(
        description="0-100: services hit, their criticality, SPOF involvement"
    )
    risk_level: Literal["low", "medium", "high"]
    services: list[ServiceImpact]
    spof_services: list[str] = Field(
        description="services a changed CI is a single point of failure of"
    )
    impacted_count: int
    conflicts: list[str] = Field(
        description="other open changes touching the same services in an overlapping window"
    )


# --------------------------------------------------------------------------- audit


class UnauthorizedChange(BaseModel):
    uid: str
    ci_class: str | None
    name: str | None
    kind: Literal["attribute", "config"]
    attribute: str | None = None
    old: Any = None
    new: Any = None
    run_id: str | None
    at: datetime
    previous_run_at: datetime | None = Field(
        description="the change happened after this time and before 'at'"
    )
    config_versions: list[int] | None = None


class DiscoveryRunPublic(BaseModel):
    uid: str
    name: str
    state: str | None
    started_at: str | None
    finished_at: str | None
    counts: dict[str, Any]
