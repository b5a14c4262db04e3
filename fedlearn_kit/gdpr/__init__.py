"""The GDPR layer of the course: question cards, the learner's answers, and a DPIA draft.

``show_cards(step)`` ends every lesson; lesson 08 turns the answers into a DPIA draft.
"""

from fedlearn_kit.gdpr.answers import (
    Answer,
    AnswersFileError,
    AnswerStore,
    answers_path,
    load_answers,
)
from fedlearn_kit.gdpr.cards import (
    DPIA_PARTS,
    STEPS,
    Card,
    Source,
    card_by_id,
    card_markdown,
    cards_for,
    is_law_reference,
    load_cards,
    step_markdown,
    swedish_terms,
    validate_cards,
)
from fedlearn_kit.gdpr.checkpoints import Checkpoint, checkpoints, checkpoints_markdown
from fedlearn_kit.gdpr.dpia import (
    DpiaDraft,
    RiskRow,
    dpia_draft,
    example_answers,
    experiment_summary,
    missing_sections,
    write_dpia,
)
from fedlearn_kit.gdpr.facts import (
    DataFlow,
    ExperimentFacts,
    FactsError,
    MeasuredFacts,
    SiteFacts,
    clear_facts,
    data_flows_from_messages,
    default_facts,
    experiment_fingerprint,
    facts_from_experiment,
    facts_path,
    load_facts,
    measure_data_flows,
    record_facts,
    with_data_flows,
)
from fedlearn_kit.gdpr.panel import CardPanel, show_cards
from fedlearn_kit.gdpr.takehome import TakeHome, takehome_pack, takehome_summary, write_takehome
from fedlearn_kit.gdpr.template import (
    answer,
    answers_template,
    import_answers_template,
    write_answers_template,
)

__all__ = [
    "DPIA_PARTS", "STEPS", "Answer", "AnswerStore", "AnswersFileError", "Card", "CardPanel",
    "Checkpoint", "DpiaDraft", "ExperimentFacts", "SiteFacts", "Source", "answers_path",
    "card_by_id", "card_markdown", "cards_for", "checkpoints", "checkpoints_markdown",
    "dpia_draft", "example_answers", "facts_from_experiment", "is_law_reference",
    "load_answers", "load_cards", "show_cards", "step_markdown", "swedish_terms",
    "validate_cards", "write_dpia", "FactsError", "MeasuredFacts", "clear_facts",
    "default_facts", "experiment_fingerprint", "facts_path", "load_facts", "record_facts",
    "answer", "answers_template", "import_answers_template", "write_answers_template",
    "DataFlow", "RiskRow", "data_flows_from_messages", "measure_data_flows", "missing_sections",
    "with_data_flows", "TakeHome", "takehome_pack", "write_takehome", "experiment_summary",
    "takehome_summary",
]
