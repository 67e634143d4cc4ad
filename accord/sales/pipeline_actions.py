"""Pipeline settings: create, rename, make default and delete pipelines; add, edit, reorder,
archive, restore and delete their stages.

The rules every write keeps:

- pipeline names are unique (case-insensitively) and exactly one pipeline is the default;
- a pipeline keeps at least one *active* open stage, one won stage and one lost stage, so a deal can
  always be worked, won and lost;
- nothing a deal points at is deleted: a pipeline or a stage that holds deals (or appears in a
  deal's stage history, which is append-only) is refused with the count and what to do instead;
  a stage that only history points at can be *archived* instead;
- an archived stage (``archived_at`` set) holds no deal: it leaves the board and every stage picker,
  and deals' history keeps pointing at it. Archiving a stage with deals is refused; archiving an
  archived stage or restoring an active one changes nothing (idempotent);
- stage positions stay 0…n-1 and are rewritten in one transaction: the active stages first, in
  board order (0…a-1), then the archived ones in the order they were archived. Reordering and
  moving work on the active stages; a restored stage goes where :func:`add_stage` puts a new one.

Each function is one atomic change; a refusal raises an :class:`~accord.core.errors.ActionError`
before anything is written. Writes to a pipeline's stages lock the pipeline row first, so two
managers editing the same pipeline take turns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, ProtectedError, Q, RestrictedError
from django.utils import timezone

from accord.core.errors import ActionError, Conflict, Invalid, NotFound
from accord.sales.models import Deal, DealStageChange, Pipeline, PipelineStage

Outcome = PipelineStage.Outcome
StageLayout = tuple[str, int, str, int | None]

# The layout of a new pipeline when there is no default pipeline to copy:
# (name, win probability %, outcome, days without activity before a deal rots).
STANDARD_STAGES: tuple[StageLayout, ...] = (
    ("Qualification", 10, Outcome.OPEN, 14),
    ("Discovery", 20, Outcome.OPEN, 14),
    ("Demo", 40, Outcome.OPEN, 10),
    ("Proposal", 60, Outcome.OPEN, 10),
    ("Negotiation", 80, Outcome.OPEN, 7),
    ("Closed won", 100, Outcome.WON, None),
    ("Closed lost", 0, Outcome.LOST, None),
)
STAGE_FIELDS = ("name", "probability", "rotting_days", "outcome")
MAX_STAGES = 30
MAX_ROTTING_DAYS = 3650
PIPELINE_NAME_MAX: int = Pipeline._meta.get_field("name").max_length  # type: ignore[assignment]
STAGE_NAME_MAX: int = PipelineStage._meta.get_field("name").max_length  # type: ignore[assignment]


# ---------------------------------------------------------------- validation
def _clean_name(name: Any, *, limit: int, what: str) -> str:
    name = (name if isinstance(name, str) else "").strip()
    if not name:
        raise Invalid(f"A {what} needs a name.", field_errors={"name": ["This field is required."]})
    if len(name) > limit:
        raise Invalid(
            f"The {what} name is too long.", field_errors={"name": [f"At most {limit} characters."]}
        )
    return name


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_stage_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(STAGE_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "name" in fields:
        try:
            out["name"] = _clean_name(fields["name"], limit=STAGE_NAME_MAX, what="stage")
        except Invalid as exc:
            errors.update(exc.field_errors)
    if "probability" in fields:
        value = fields["probability"]
        if not _is_int(value) or not 0 <= value <= 100:
            errors["probability"] = ["A whole number from 0 to 100."]
        out["probability"] = value
    if "rotting_days" in fields:
        value = fields["rotting_days"]
        if value is not None and (not _is_int(value) or not 0 <= value <= MAX_ROTTING_DAYS):
            errors["rotting_days"] = [f"A whole number from 0 to {MAX_ROTTING_DAYS}, or blank for never."]
        out["rotting_days"] = value
    if "outcome" in fields:
        if fields["outcome"] not in Outcome.values:
            errors["outcome"] = ["Pick open, won or lost."]
        out["outcome"] = fields["outcome"]
    if errors:
        raise Invalid("The stage is not valid.", field_errors=errors)
    return out


def _name_taken(name: str, exclude: Pipeline | None = None) -> None:
    clash = Pipeline.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise _duplicate_pipeline(name)


def _stage_name_taken(pipeline_id: int, name: str, exclude: PipelineStage | None = None) -> None:
    clash = PipelineStage.objects.filter(pipeline_id=pipeline_id, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.only("archived_at").first()
    if other is None:
        return
    if other.is_archived:  # names stay unique with the archived ones, so history reads unambiguously
        raise Conflict(
            f"This pipeline has an archived stage named “{name}”. Restore it, or pick another name.",
            field_errors={"name": ["An archived stage of this pipeline has this name."]},
            code="duplicate_name",
        )
    raise Conflict(
        f"This pipeline has a stage named “{name}” already.",
        field_errors={"name": ["Another stage of this pipeline has this name."]},
        code="duplicate_name",
    )


def _lock(pipeline: Pipeline | int) -> Pipeline:
    """The pipeline's row, locked for the rest of the transaction."""
    pk = pipeline if isinstance(pipeline, int) else pipeline.pk
    current = Pipeline.objects.select_for_update().filter(pk=pk).first()
    if current is None:
        raise NotFound(f"Pipeline {pk} does not exist.")
    return current


def _lock_stage(stage: PipelineStage) -> tuple[Pipeline, PipelineStage]:
    """The stage's pipeline and the stage, locked in that order (the order every write takes)."""
    pipeline = _lock(stage.pipeline_id)
    current = PipelineStage.objects.select_for_update().filter(pk=stage.pk, pipeline=pipeline).first()
    if current is None:
        raise NotFound(f"Stage {stage.pk} does not exist.")
    current.pipeline = pipeline
    return pipeline, current


def _duplicate_pipeline(name: str) -> Conflict:
    return Conflict(
        f"A pipeline named “{name}” exists already.",
        field_errors={"name": ["Another pipeline has this name."]},
        code="duplicate_name",
    )


# ---------------------------------------------------------------- pipelines
def default_layout() -> tuple[StageLayout, ...]:
    """The stages a new pipeline starts with: the default pipeline's active ones, or
    :data:`STANDARD_STAGES`."""
    default = Pipeline.objects.filter(is_default=True).first()
    if default is not None:
        active = default.stages.filter(archived_at=None).order_by("position")
        layout = tuple((s.name, s.probability, s.outcome, s.rotting_days) for s in active)
        if {Outcome.OPEN, Outcome.WON, Outcome.LOST} <= {o for _, _, o, _ in layout}:
            return layout
    return STANDARD_STAGES


def create_pipeline(
    name: str, stages: Sequence[StageLayout] | None = None, *, is_default: bool = False
) -> Pipeline:
    """A new pipeline with ``stages`` (name, probability, outcome, rotting days), by default the
    default pipeline's stage layout (or :data:`STANDARD_STAGES`).

    The first pipeline is the default whatever ``is_default`` says.
    """
    name = _clean_name(name, limit=PIPELINE_NAME_MAX, what="pipeline")
    with transaction.atomic():
        pipelines = list(Pipeline.objects.select_for_update().order_by("pk"))
        _name_taken(name)
        is_default = is_default or not any(p.is_default for p in pipelines)
        layout = tuple(stages) if stages is not None else default_layout()
        if is_default:
            Pipeline.objects.filter(is_default=True).update(is_default=False)
        try:
            with transaction.atomic():
                pipeline = Pipeline.objects.create(name=name, is_default=is_default)
        except IntegrityError as exc:  # created by someone else since the check
            raise _duplicate_pipeline(name) from exc
        PipelineStage.objects.bulk_create(
            PipelineStage(pipeline=pipeline, name=n, position=i, probability=p, outcome=o, rotting_days=r)
            for i, (n, p, o, r) in enumerate(layout)
        )
    return pipeline


def rename_pipeline(pipeline: Pipeline, name: str) -> Pipeline:
    return update_pipeline(pipeline, name=name)


def make_default_pipeline(pipeline: Pipeline) -> Pipeline:
    """Make ``pipeline`` the default (new deals and the board open in it); the previous default
    stops being it."""
    return update_pipeline(pipeline, is_default=True)


def update_pipeline(
    pipeline: Pipeline, *, name: str | None = None, is_default: bool | None = None
) -> Pipeline:
    """Rename and/or make default in one change. A pipeline stops being the default only when
    another one is made the default."""
    if name is not None:
        name = _clean_name(name, limit=PIPELINE_NAME_MAX, what="pipeline")
    with transaction.atomic():
        list(Pipeline.objects.select_for_update().order_by("pk"))  # one default switch at a time
        current = _lock(pipeline)
        if is_default is False and current.is_default:
            raise Invalid(
                "A pipeline stops being the default when another pipeline is made the default.",
                field_errors={"is_default": ["Make another pipeline the default instead."]},
            )
        if name is not None and name != current.name:
            _name_taken(name, exclude=current)
            current.name = name
            try:
                with transaction.atomic():
                    current.save(update_fields=["name"])
            except IntegrityError as exc:
                raise _duplicate_pipeline(name) from exc
        if is_default and not current.is_default:
            Pipeline.objects.filter(is_default=True).update(is_default=False)
            Pipeline.objects.filter(pk=current.pk).update(is_default=True)
            current.is_default = True
    pipeline.name, pipeline.is_default = current.name, current.is_default
    return pipeline


def pipeline_deletion_refusal(pipeline: Pipeline) -> ActionError | None:
    """Why ``pipeline`` cannot be deleted now, or None when it can."""
    deals = Deal.objects.filter(pipeline=pipeline).count()
    if deals:
        return Conflict(
            f"“{pipeline.name}” has {deals} deal{'s' if deals != 1 else ''} (open and closed). "
            "A pipeline with deals cannot be deleted; its deals and their history stay in it.",
            code="pipeline_has_deals",
        )
    if not Pipeline.objects.exclude(pk=pipeline.pk).exists():
        return Conflict(
            f"“{pipeline.name}” is the only pipeline; there must always be one.", code="only_pipeline"
        )
    if pipeline.is_default:
        return Conflict(
            f"“{pipeline.name}” is the default pipeline. Make another pipeline the default first.",
            code="default_pipeline",
        )
    return None


def delete_pipeline(pipeline: Pipeline) -> None:
    """Delete an empty, non-default pipeline and its stages."""
    with transaction.atomic():
        list(Pipeline.objects.select_for_update().order_by("pk"))  # no default switch meanwhile
        current = _lock(pipeline)
        refusal = pipeline_deletion_refusal(current)
        if refusal is not None:
            raise refusal
        _delete(current, f"“{current.name}” is still referred to by other records.")


def _delete(obj: Pipeline | PipelineStage, message: str) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise Conflict(message, code="in_use") from exc


# ---------------------------------------------------------------- stages
def _stages(pipeline_id: int) -> list[PipelineStage]:
    return list(PipelineStage.objects.filter(pipeline_id=pipeline_id).order_by("position", "pk"))


def _split(pipeline_id: int) -> tuple[list[PipelineStage], list[PipelineStage]]:
    """The pipeline's active stages and its archived ones, each in position order."""
    stages = _stages(pipeline_id)
    return [s for s in stages if not s.is_archived], [s for s in stages if s.is_archived]


def _missing_outcomes(outcomes: Sequence[str]) -> list[str]:
    labels = {Outcome.OPEN: "an open stage", Outcome.WON: "a won stage", Outcome.LOST: "a lost stage"}
    return [label for outcome, label in labels.items() if outcome not in outcomes]


def _outcome_refusal(pipeline_name: str, outcomes: Sequence[str], verb: str) -> Conflict | None:
    missing = _missing_outcomes(outcomes)
    if not missing:
        return None
    return Conflict(
        f"{verb} would leave “{pipeline_name}” without {' and '.join(missing)}. A pipeline needs at least "
        "one open stage to work deals in, one won stage and one lost stage.",
        code="pipeline_needs_outcomes",
    )


def _rewrite_positions(pipeline_id: int, ordered: Sequence[PipelineStage]) -> None:
    """Give ``ordered`` the positions 0…n-1 without tripping the (pipeline, position) constraint:
    first move every stage past the current highest position, then into place."""
    top = max((s.position for s in _stages(pipeline_id)), default=0) + 1
    for index, stage in enumerate(ordered):  # above every old position, so no clash
        PipelineStage.objects.filter(pk=stage.pk).update(position=top + index)
    for index, stage in enumerate(ordered):  # below every temporary one (top >= n)
        PipelineStage.objects.filter(pk=stage.pk).update(position=index)
        stage.position = index


def _default_place(active: Sequence[PipelineStage], outcome: str) -> int:
    """Where a new (or restored) stage goes among the active ones: an open stage before the first won
    or lost stage, a won or lost stage last."""
    closed = [i for i, s in enumerate(active) if s.outcome != Outcome.OPEN]
    return closed[0] if outcome == Outcome.OPEN and closed else len(active)


def _too_many(pipeline: Pipeline, active: Sequence[PipelineStage]) -> str | None:
    if len(active) < MAX_STAGES:
        return None
    return f"“{pipeline.name}” has {MAX_STAGES} active stages already."


def add_stage(
    pipeline: Pipeline,
    *,
    name: str,
    probability: int,
    outcome: str = Outcome.OPEN,
    rotting_days: int | None = None,
    position: int | None = None,
) -> PipelineStage:
    """Add a stage at ``position`` (0-based, among the active stages); by default an open stage goes
    before the first won or lost stage and a won or lost stage goes last."""
    fields = _clean_stage_fields(
        {"name": name, "probability": probability, "outcome": outcome, "rotting_days": rotting_days}
    )
    if position is not None and (not _is_int(position) or position < 0):
        raise Invalid("The position is not valid.", field_errors={"position": ["Zero or more."]})
    with transaction.atomic():
        current = _lock(pipeline)
        active, archived = _split(current.pk)
        too_many = _too_many(current, active)
        if too_many:
            raise Invalid(
                f"A pipeline has at most {MAX_STAGES} stages on its board (archived ones do not count).",
                field_errors={"name": [too_many]},
            )
        _stage_name_taken(current.pk, fields["name"])
        if position is None:
            position = _default_place(active, fields["outcome"])
        position = min(position, len(active))
        top = max((s.position for s in (*active, *archived)), default=-1) + 1
        stage = PipelineStage.objects.create(pipeline=current, position=top, **fields)
        _rewrite_positions(current.pk, [*active[:position], stage, *active[position:], *archived])
    stage.refresh_from_db()
    return stage


def _deal_count(stage: PipelineStage) -> int:
    return Deal.objects.filter(stage=stage).count()


def update_stage(stage: PipelineStage, **fields: Any) -> PipelineStage:
    """Change a stage's name, probability, rotting days (None: never rots) or outcome.

    The outcome of a stage that holds deals does not change (their status follows it), and a change
    must leave the pipeline an active open, won and lost stage. An archived stage can be edited too
    (its name shows in deals' history).
    """
    fields = _clean_stage_fields(fields)
    with transaction.atomic():
        pipeline, current = _lock_stage(stage)
        if "name" in fields and fields["name"] != current.name:
            _stage_name_taken(pipeline.pk, fields["name"], exclude=current)
        if fields.get("outcome", current.outcome) != current.outcome:
            deals = _deal_count(current)
            if deals:
                raise Conflict(
                    f"{deals} deal{'s are' if deals != 1 else ' is'} in “{current.name}”; its outcome "
                    "cannot change while deals are in it (their status follows the outcome). Move "
                    f"{'them' if deals != 1 else 'it'} to another stage first.",
                    field_errors={"outcome": ["Move the stage's deals out first."]},
                    code="stage_has_deals",
                )
            active, _ = _split(pipeline.pk)
            others = [s.outcome for s in active if s.pk != current.pk]
            after = [*others, fields["outcome"]] if not current.is_archived else others
            refusal = _outcome_refusal(pipeline.name, after, "This change")
            if refusal is not None:
                refusal.field_errors = {"outcome": [refusal.message]}
                raise refusal
        for name, value in fields.items():
            setattr(current, name, value)
        if fields:
            current.save(update_fields=list(fields))
    stage.__dict__.update({k: getattr(current, k) for k in (*STAGE_FIELDS, "position", "archived_at")})
    return stage


def reorder_stages(pipeline: Pipeline, stage_ids: Sequence[int]) -> list[PipelineStage]:
    """Put the pipeline's active stages in the order of ``stage_ids``, which must name each of them
    exactly once (archived stages stay after them, in their order)."""
    if not all(_is_int(i) for i in stage_ids):
        raise Invalid("Stage ids are numbers.", field_errors={"stage_ids": ["A list of stage ids."]})
    with transaction.atomic():
        current = _lock(pipeline)
        active, archived = _split(current.pk)
        stages = {s.pk: s for s in active}
        archived_ids = {s.pk for s in archived}
        duplicates = sorted(i for i, n in Counter(stage_ids).items() if n > 1)
        retired = [i for i in stage_ids if i in archived_ids]
        unknown = [i for i in stage_ids if i not in stages and i not in archived_ids]
        missing = [pk for pk in stages if pk not in stage_ids]
        problems = []
        if duplicates:
            problems.append(f"listed twice: {', '.join(map(str, duplicates))}")
        if retired:
            problems.append(f"archived: {', '.join(map(str, retired))}")
        if unknown:
            problems.append(f"not stages of this pipeline: {', '.join(map(str, unknown))}")
        if missing:
            problems.append(f"missing: {', '.join(map(str, missing))}")
        if problems:
            raise Invalid(
                f"List each active stage of “{current.name}” exactly once ({'; '.join(problems)}).",
                field_errors={
                    "stage_ids": [f"Give all {len(stages)} active stage ids of the pipeline, once each."]
                },
            )
        ordered = [stages[i] for i in stage_ids]
        _rewrite_positions(current.pk, [*ordered, *archived])
    return ordered


def _archived_refusal(stage: PipelineStage, doing: str) -> Conflict:
    return Conflict(f"“{stage.name}” is archived; restore it before {doing}.", code="stage_archived")


def move_stage(stage: PipelineStage, offset: int) -> list[PipelineStage]:
    """Move an active stage ``offset`` places among the active stages (-1 up/left, +1 down/right); at
    either end it stays put. Returns the active stages in their new order."""
    if offset not in (-1, 1):
        raise Invalid("Move a stage up or down.", field_errors={"direction": ["Pick up or down."]})
    with transaction.atomic():
        pipeline, current = _lock_stage(stage)
        if current.is_archived:
            raise _archived_refusal(current, "moving it")
        stages, archived = _split(pipeline.pk)
        index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
        target = index + offset
        if 0 <= target < len(stages):
            stages[index], stages[target] = stages[target], stages[index]
            _rewrite_positions(pipeline.pk, [*stages, *archived])
    return stages


def stage_deletion_refusal(stage: PipelineStage) -> ActionError | None:
    """Why ``stage`` cannot be deleted now, or None when it can."""
    deals = _deal_count(stage)
    if deals:
        return Conflict(
            f"{deals} deal{'s are' if deals != 1 else ' is'} in “{stage.name}”. Move "
            f"{'them' if deals != 1 else 'it'} to another stage before deleting the stage.",
            code="stage_has_deals",
        )
    history = DealStageChange.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).aggregate(
        n=Count("deal_id", distinct=True)
    )["n"]
    if history:
        instead = (
            "It is archived, so it no longer shows on the board or in the stage pickers."
            if stage.is_archived
            else "Archive it instead: it leaves the board and the stage pickers, and the history keeps it."
        )
        return Conflict(
            f"“{stage.name}” is in the stage history of {history} deal{'s' if history != 1 else ''}; it "
            f"stays so that their history (time in stage, conversion) stays true. {instead}",
            code="stage_has_history",
        )
    return _outcome_refusal(stage.pipeline.name, _active_outcomes(stage), f"Deleting “{stage.name}”")


def _active_outcomes(stage: PipelineStage) -> list[str]:
    """The outcomes of the pipeline's active stages other than ``stage``."""
    others = PipelineStage.objects.filter(pipeline_id=stage.pipeline_id, archived_at=None).exclude(
        pk=stage.pk
    )
    return list(others.values_list("outcome", flat=True))


def delete_stage(stage: PipelineStage) -> None:
    """Delete a stage no deal is or was in, keeping an open, a won and a lost stage."""
    with transaction.atomic():
        pipeline, current = _lock_stage(stage)
        refusal = stage_deletion_refusal(current)
        if refusal is not None:
            raise refusal
        _delete(current, f"“{current.name}” is still referred to by other records.")
        _rewrite_positions(pipeline.pk, _stages(pipeline.pk))


# ---------------------------------------------------------------- archive and restore
def stage_archive_refusal(stage: PipelineStage) -> ActionError | None:
    """Why an active ``stage`` cannot be archived now, or None when it can."""
    deals = _deal_count(stage)
    if deals:
        return Conflict(
            f"{deals} deal{'s are' if deals != 1 else ' is'} in “{stage.name}”. Move its {deals} "
            f"deal{'s' if deals != 1 else ''} to another stage first: an archived stage holds no deals, "
            "open or closed.",
            code="stage_has_deals",
        )
    return _outcome_refusal(stage.pipeline.name, _active_outcomes(stage), f"Archiving “{stage.name}”")


def archive_stage(stage: PipelineStage) -> PipelineStage:
    """Retire a stage no deal is in: it leaves the board and the stage pickers, deals' history keeps
    it. It moves behind the active stages (the others keep their order). Archiving an archived stage
    changes nothing."""
    with transaction.atomic():
        pipeline, current = _lock_stage(stage)
        if not current.is_archived:
            refusal = stage_archive_refusal(current)
            if refusal is not None:
                raise refusal
            active, archived = _split(pipeline.pk)
            current.archived_at = timezone.now()
            current.save(update_fields=["archived_at"])
            _rewrite_positions(pipeline.pk, [*(s for s in active if s.pk != current.pk), *archived, current])
    stage.archived_at, stage.position = current.archived_at, current.position
    return stage


def restore_stage(stage: PipelineStage) -> PipelineStage:
    """Bring an archived stage back where :func:`add_stage` puts a new one: an open stage before the
    first won or lost stage, a won or lost stage last (move it with the arrows). Restoring an active
    stage changes nothing."""
    with transaction.atomic():
        pipeline, current = _lock_stage(stage)
        if current.is_archived:
            active, archived = _split(pipeline.pk)
            too_many = _too_many(pipeline, active)
            if too_many:
                raise Conflict(
                    f"{too_many} A pipeline has at most {MAX_STAGES}; archive or delete one first.",
                    code="too_many_stages",
                )
            place = _default_place(active, current.outcome)
            current.archived_at = None
            current.save(update_fields=["archived_at"])
            rest = [s for s in archived if s.pk != current.pk]
            _rewrite_positions(pipeline.pk, [*active[:place], current, *active[place:], *rest])
    stage.archived_at, stage.position = current.archived_at, current.position
    return stage
