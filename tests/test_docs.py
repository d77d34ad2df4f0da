"""docs/ stays true to the code: the state diagrams are generated, never hand-kept."""

from pathlib import Path

import pytest
from django.conf import settings

from portal.management.commands.state_diagrams import dot_source, state_machines


@pytest.mark.parametrize("label", state_machines())
def test_the_committed_state_diagram_matches_the_code(label):
    path = Path(settings.BASE_DIR) / "docs" / "diagrams" / f"{label.replace('.', '-').lower()}.dot"
    assert path.exists(), f"run `make diagrams` to generate {path.name}"
    assert path.read_text(encoding="utf-8") == dot_source(label), f"{path.name} is stale: run `make diagrams`"
