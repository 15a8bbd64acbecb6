"""The `frontdoor` command: Flask's CLI group over `create_app`, plus `demo`.

`frontdoor db upgrade` (Flask-Migrate), `serve`, `worker`, `scheduler`, `seed-demo`,
`audit verify` and `staff create` run inside the app configured from the environment.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from backend.app import create_app
from backend.demo.runner import demo


@click.group(cls=FlaskGroup, create_app=create_app, load_dotenv=False,
             set_debug_flag=False, add_version_option=False)
def cli() -> None:
    """Front Door: the patient-facing front door of a hospital group."""


cli.add_command(demo)


def main() -> None:
    cli.main(prog_name="frontdoor")


if __name__ == "__main__":
    main()
