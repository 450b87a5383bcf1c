"""The action catalogue (approvals.catalogue): every transition has its entry and every entry's
machine its transition; every reader of actions reads it."""

from django_fsm import FSMField

from approvals import actions, catalogue, labels, notifications, timeline, workflow
from approvals.models import Application

MACHINES = {"state": "state", "extension": "extension_state"}


def transitions() -> dict[str, set[str]]:
    fields = {f.name: f for f in Application._meta.fields if isinstance(f, FSMField)}
    return {
        machine: {t.name for t in fields[field].get_all_transitions(Application)} for machine, field in MACHINES.items()
    }


def test_every_transition_has_an_entry_and_every_entry_its_transition() -> None:
    for machine, names in transitions().items():
        entries = {e.name for e in catalogue.ENTRIES if e.machine == machine}
        assert names == entries, (
            f"{machine}: transitions without an entry {names - entries}, entries without a transition {entries - names}"
        )
    assert len({e.name for e in catalogue.ENTRIES}) == len(catalogue.ENTRIES), "one entry per name"


def test_every_entry_is_complete() -> None:
    for e in catalogue.ENTRIES:
        if e.machine is not None:
            # Something must be told of every transition, and every one has its label and verb.
            assert e.audience and e.past and e.verb, e.name
        if e.form:
            assert isinstance(getattr(actions, e.form), type), f"{e.name}: no form {e.form} in approvals.actions"
            assert e.name in actions.RUNS, f"{e.name}: no workflow call in actions.RUNS"
        if e.decision:
            assert e.machine == "state" and e.public, e.name


def test_every_reader_reads_the_catalogue() -> None:
    entries = catalogue.ENTRIES
    assert set(actions.ACTIONS) == {e.name for e in entries if e.form} == set(actions.RUNS)
    assert {n: str(label) for n, label in labels.ACTIONS.items()} == {e.name: e.past for e in entries if e.past}
    assert {n: str(label) for n, label in workflow.ACTION_LABELS.items()} == {e.name: e.verb for e in entries if e.verb}
    assert {e.name: set(e.audience) for e in entries if e.audience} == notifications.AUDIENCE
    assert {e.name for e in entries if e.emailed} == notifications.EMAILED
    assert {e.name for e in entries if e.public} == timeline.PUBLIC_ACTIONS
    assert transitions()["extension"] == workflow.EXTENSION_ACTIONS


def test_the_module_imports_without_django() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, approvals.catalogue; sys.exit('django' in sys.modules)"
    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={}, cwd=root)
    assert result.returncode == 0, result.stderr
