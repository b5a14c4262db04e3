"""cli.py declares every subcommand's arguments without importing the modules behind them
(so ``fedlearn-kit --help`` starts at once); these tests keep its copies of their names equal."""

from __future__ import annotations

from fedlearn_kit import cli, doctor
from fedlearn_kit.gdpr import cards, template


def test_the_answers_command_offers_exactly_the_lessons_with_cards():
    assert tuple(cards.STEPS) == cli.CARD_STEPS
    assert tuple(cards.LANGUAGES) == cli.LANGUAGES


def test_the_answers_template_default_is_the_template_modules_name():
    assert cli.ANSWERS_TEMPLATE == template.TEMPLATE_NAME


def test_the_doctor_checks_the_ports_the_course_uses_by_default():
    assert (cli.LAB_PORT, cli.SUPERLINK_PORT) == (doctor.LAB_PORT, doctor.SUPERLINK_PORT)
    args = cli.build_parser(run_options=False).parse_args(["doctor", "--skip-deployment"])
    assert (args.lab_port, args.superlink_port) == (doctor.LAB_PORT, doctor.SUPERLINK_PORT)
