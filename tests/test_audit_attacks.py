"""The attacks `ledger audit verify` must catch: truncation, appended and recomputed
events, business rows edited behind the audit's back; with and without checkpoints."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from audit_attacks import (
    append_event,
    attacker,
    delete_events_from,
    edit_and_recompute,
    insert_client,
    recompute_from,
)
from ledger.api import Ledger
from ledger.errors import AuditChainBroken, AuditRowsDiffer, InvalidInput

NAMES = ("Acme", "Beta", "Gamma", "Delta")


@pytest.fixture
def four(lg: Ledger) -> Ledger:
    """A ledger with four clients: audit events 1 to 4."""
    for name in NAMES:
        lg.clients.add(name=name, currency="CZK")
    assert lg.audit.verify() == 4
    return lg


def _client(name: str) -> dict[str, object]:
    return {"name": name, "currency": "CZK", "archived": False}


# --- deleting the last events -----------------------------------------------------------


def test_deleting_the_last_events_and_their_rows_is_caught_by_a_stored_checkpoint(
    four: Ledger,
) -> None:
    four.audit.checkpoint()
    with attacker(four.database.url) as conn:
        delete_events_from(conn, 3)
    with pytest.raises(AuditChainBroken, match="trail has no such event") as caught:
        four.audit.verify()
    assert caught.value.event_id == 4
    assert "it ends at 2: events were removed" in str(caught.value)


def test_deleting_events_after_the_last_checkpoint_is_caught_by_a_kept_head_line(
    four: Ledger,
) -> None:
    head = four.audit.checkpoint().line()
    with attacker(four.database.url) as conn:
        delete_events_from(conn, 3)
        conn.exec_driver_sql("DELETE FROM audit_checkpoints")  # the stored ones go too
    assert four.audit.verify() == 2  # what the database alone can no longer tell
    with pytest.raises(AuditChainBroken, match=r"^audit event 4: the head line of .* no such"):
        four.audit.verify(head=head)


def test_deleting_the_last_events_but_not_their_rows_is_caught_by_the_replay(
    four: Ledger,
) -> None:
    with attacker(four.database.url) as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE id >= 3"))
    with pytest.raises(AuditRowsDiffer) as caught:
        four.audit.verify()
    assert caught.value.differences == (
        "clients 3: in the table, but the audit trail never saw it",
        "clients 4: in the table, but the audit trail never saw it",
    )


# --- appending an event with a correct unkeyed hash -----------------------------------


@pytest.mark.parametrize("checkpointed", [False, True])
def test_an_appended_event_with_a_correct_unkeyed_hash_is_caught(
    four: Ledger, checkpointed: bool
) -> None:
    if checkpointed:
        four.audit.checkpoint()
    with attacker(four.database.url) as conn:
        client_id = insert_client(conn, "Ghost")
        forged = append_event(conn, "clients", client_id, {"id": client_id, **_client("Ghost")})
    with pytest.raises(AuditChainBroken, match="under this ledger's key") as caught:
        four.audit.verify()
    assert caught.value.event_id == forged == 5


def test_events_forged_into_an_empty_trail_are_caught(lg: Ledger) -> None:
    assert lg.audit.checkpoint().event_id == 0  # also makes the key, as a first write does
    with attacker(lg.database.url) as conn:
        append_event(conn, "clients", 1, {"id": 1, **_client("Ghost")})
    with pytest.raises(AuditChainBroken, match=r"^audit event 1: .* under this ledger's key"):
        lg.audit.verify()


# --- recomputing the chain after an edit ----------------------------------------------


@pytest.mark.parametrize("first", [1, 2])
def test_a_chain_recomputed_after_an_edit_is_caught(four: Ledger, first: int) -> None:
    with attacker(four.database.url) as conn:
        edit_and_recompute(conn, 2, {"id": 2, **_client("Evil s.r.o.")})
        conn.execute(sa.text("UPDATE clients SET name = 'Evil s.r.o.' WHERE id = 2"))
        recompute_from(conn, first)  # the whole chain, or from the edit on
    with pytest.raises(AuditChainBroken, match="under this ledger's key") as caught:
        four.audit.verify()
    assert caught.value.event_id == first


def test_a_chain_recomputed_with_another_key_is_caught_by_the_checkpoint(
    four: Ledger,
) -> None:
    head = four.audit.checkpoint().line()
    with attacker(four.database.url) as conn:
        recompute_from(conn, 1, key=b"the attacker's own key")
    with pytest.raises(AuditChainBroken, match="under this ledger's key"):
        four.audit.verify(head=head)


def test_a_forged_checkpoint_is_refused(four: Ledger) -> None:
    four.audit.checkpoint()
    with attacker(four.database.url) as conn:
        conn.execute(sa.text("UPDATE audit_checkpoints SET event_id = 3"))
    with pytest.raises(AuditChainBroken, match="not signed with this ledger's key"):
        four.audit.verify()


def test_a_head_line_altered_or_mistyped_is_refused(four: Ledger) -> None:
    line = four.audit.checkpoint().line()
    tag, _, head_hash, at, signature = line.split()
    altered = " ".join((tag, "3", head_hash, at, signature))
    with pytest.raises(AuditChainBroken, match=r"the head line of .* is not signed"):
        four.audit.verify(head=altered)
    with pytest.raises(InvalidInput, match="is not a head line"):
        four.audit.verify(head=line[:40])
    assert four.audit.verify(head=line) == 4


# --- editing business rows behind the audit's back ------------------------------------


@pytest.mark.parametrize("checkpointed", [False, True])
def test_rows_edited_with_sql_are_named(four: Ledger, checkpointed: bool) -> None:
    head = four.audit.checkpoint().line() if checkpointed else None
    with attacker(four.database.url) as conn:
        conn.execute(sa.text("UPDATE clients SET name = 'Evil s.r.o.' WHERE id = 3"))
        conn.execute(sa.text("UPDATE clients SET archived = true WHERE id = 1"))
        conn.execute(sa.text("DELETE FROM clients WHERE id = 4"))
    with pytest.raises(AuditRowsDiffer, match=r"^the tables differ") as caught:
        four.audit.verify(head=head)
    assert caught.value.differences == (
        "clients 1: archived is True in the table, False by the audit",
        "clients 3: name is 'Evil s.r.o.' in the table, 'Gamma' by the audit",
        "clients 4: in the audit trail, but not in the table",
    )


def test_rows_changed_through_the_api_replay_cleanly(four: Ledger) -> None:
    four.clients.update(2, name="Beta Two", email="beta@example.com")
    four.clients.archive(4)
    result = four.audit.check()
    assert (result.events, result.unkeyed, result.checkpoints) == (6, 0, 0)
