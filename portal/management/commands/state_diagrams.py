"""Writes docs/diagrams/<app>-<model>.dot (and .svg where Graphviz's `dot` is installed) for every
state machine, from the code, through django-fsm-2's `graph_transitions`. The statement lines are
sorted so the files only change when the transitions do; tests/test_docs.py checks they are current."""

import io
import shutil
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_fsm import FSMFieldMixin

OUT = Path(settings.BASE_DIR) / "docs" / "diagrams"


def state_machines() -> list[str]:
    return sorted(f"{m._meta.app_label}.{m.__name__}" for m in apps.get_models()
                  if any(isinstance(f, FSMFieldMixin) for f in m._meta.fields))


def dot_source(label: str) -> str:
    buf = io.StringIO()
    call_command("graph_transitions", label, stdout=buf)
    lines = buf.getvalue().strip().splitlines()
    head, body, tail = lines[0], lines[1:-1], lines[-1]
    return "\n".join([head, *sorted(set(body)), tail]) + "\n"


class Command(BaseCommand):
    help = "由代码生成状态图（docs/diagrams/*.dot，如装有 Graphviz 则同时生成 .svg）"

    def handle(self, *args, **options):
        OUT.mkdir(parents=True, exist_ok=True)
        dot = shutil.which("dot")
        for label in state_machines():
            name = label.replace(".", "-").lower()
            path = OUT / f"{name}.dot"
            path.write_text(dot_source(label), encoding="utf-8")
            if dot:
                subprocess.run([dot, "-Tsvg", str(path), "-o", str(OUT / f"{name}.svg")], check=True)
            self.stdout.write(f"{path.relative_to(settings.BASE_DIR)}")
