"""What the conversion commands print alike: words for statuses, lines of data as they are,
a rule's target, a log receipt, a plan's or conversion's grants."""

from __future__ import annotations

from creditbank.cli.common import _, out, say
from creditbank.conversion.conversion_reads import ConversionEventKind, ConversionStatus
from creditbank.conversion.model import RuleStatus
from creditbank.conversion.schemas import GrantRead, PassedOverRead, TargetRead
from creditbank.ledger.schemas import ReceiptRead
from creditbank.messages import msg

RULE_STATUS_WORDS = {
    RuleStatus.DRAFT: msg("draft"),
    RuleStatus.SUBMITTED: msg("submitted"),
    RuleStatus.APPROVED: msg("approved"),
    RuleStatus.REJECTED: msg("rejected"),
    RuleStatus.WITHDRAWN: msg("withdrawn"),
    RuleStatus.RETIRED: msg("retired"),
}
CONVERSION_STATUS_WORDS = {
    ConversionStatus.PENDING: msg("pending"),
    ConversionStatus.CONFIRMED: msg("confirmed"),
    ConversionStatus.DECLINED: msg("declined"),
    ConversionStatus.REVERSED: msg("reversed"),
}
CONVERSION_EVENT_WORDS = {
    ConversionEventKind.CONFIRMED: msg("confirmed"),
    ConversionEventKind.DECLINED: msg("declined"),
    ConversionEventKind.REVERSED: msg("reversed"),
    ConversionEventKind.FLAGGED: msg("flagged for review"),
}


def line(text: str, indent: int = 0) -> None:
    """Print ``text`` as it is: no markup, no highlighting (names and reasons are data)."""
    out.print(" " * indent + text, markup=False, highlight=False)


def target_text(target: TargetRead) -> str:
    if target.component is not None:
        return f"{target.kind.value}:{target.component}"
    category = f" ({target.category})" if target.category else ""
    return f"{target.kind.value}:{target.credits}{category}"


def print_receipt(receipt: ReceiptRead | None) -> None:
    if receipt is not None:
        line(
            say(
                msg(
                    "Logged in the ledger: entry {index} ({kind})",
                    index=receipt.leaf_index,
                    kind=receipt.kind,
                )
            )
        )


def print_grants(grants: list[GrantRead], passed_over: list[PassedOverRead]) -> None:
    for grant in grants:
        cut = (
            " · " + say(msg("cut by {caps}", caps=", ".join(cap.value for cap in grant.cut_by)))
            if grant.cut_by
            else ""
        )
        line(
            f"+ {grant.rule} v{grant.version} → {target_text(grant.target)}: "
            + say(
                msg("{granted} of {allowed} credits", granted=grant.granted, allowed=grant.allowed)
            )
            + cut,
            indent=2,
        )
        line(grant.reason, indent=4)
        line(f"{_('Sources')}: {', '.join(grant.sources)}", indent=4)
        if grant.transferred:
            line(say(msg("Transferred credit: outcome {id}", id=grant.transferred)), indent=4)
    for passed in passed_over:
        sources = f" ({', '.join(passed.sources)})" if passed.sources else ""
        line(f"- {passed.rule} v{passed.version}{sources}: {passed.reason}", indent=2)
