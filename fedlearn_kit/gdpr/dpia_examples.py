"""The worked example of lesson 08: a few answers a project group might give, in English and
Swedish, so a Swedish draft is Swedish throughout."""

from __future__ import annotations

from fedlearn_kit.gdpr.answers import Answer
from fedlearn_kit.gdpr.cards import LANGUAGES
from fedlearn_kit.gdpr.facts import ExperimentFacts
from fedlearn_kit.i18n import language

_TEXT: dict[str, dict[str, str]] = {
    "start_here.controller": {
        "en": "In each region, the board that provides the care (for example the hälso- och "
              "sjukvårdsnämnd) is controller for the processing it carries out (PDL 2 kap. "
              "6 §). Each board names who signs for it in the project.",
        "sv": "I varje region är den nämnd som bedriver vården (till exempel hälso- och "
              "sjukvårdsnämnden) personuppgiftsansvarig för den behandling den utför (2 kap. "
              "6 § PDL). Varje nämnd anger vem som undertecknar för den i projektet."},
    "local_models.purpose": {
        "en": "Training the model is each region's systematic quality work (PDL 2 kap. 4 § "
              "första stycket 3), if it is not research (next card). Using it on patients is a "
              "separate purpose (EDPB Opinion 28/2024): see the card on use.",
        "sv": "Träningen av modellen är varje regions systematiska kvalitetsarbete (2 kap. 4 § "
              "första stycket 3 PDL), om den inte är forskning (nästa kort). Att använda den "
              "för patienter är ett annat ändamål (EDPB:s yttrande 28/2024): se kortet om "
              "användning."},
    "local_models.use_purpose": {
        "en": "Using the score to choose patients for follow-up is care of the individual "
              "patient (PDL 2 kap. 4 § första stycket 1); the score is documented in the "
              "record.",
        "sv": "Att använda poängen för att välja patienter till uppföljning är vård av den "
              "enskilda patienten (2 kap. 4 § första stycket 1 PDL); poängen dokumenteras i "
              "journalen."},
    "local_models.quality_or_research": {
        "en": "We think training is quality work, not research, but want this confirmed before "
              "training on real data.",
        "sv": "Vi bedömer att träningen är kvalitetsarbete och inte forskning, men vill få det "
              "bekräftat innan vi tränar på verkliga data."},
    "federated.joint_controllers": {
        "en": "The boards decide the purpose and the training plan together, so we assume joint "
              "controllership for the joint stage and need an Art. 26 arrangement; each "
              "region's own extraction stays its own.",
        "sv": "Nämnderna bestämmer ändamålet och träningsplanen tillsammans, så vi utgår från "
              "gemensamt personuppgiftsansvar för det gemensamma steget och behöver ett inbördes "
              "arrangemang enligt artikel 26; varje regions eget uttag förblir dess eget."},
    "federated.less_processing": {
        "en": "Records stay at each site; model updates, patient counts and metrics travel. "
              "Updates may still be personal data.",
        "sv": "Journalerna stannar på varje sjukhus; modelluppdateringar, patientantal och mått "
              "skickas. Uppdateringarna kan ändå vara personuppgifter."},
    "dpia_and_next_steps.automated_decisions": {
        "en": "The intent: a nurse with authority weighs the score with other information and "
              "decides. We will document how, and check in use that the score does not decide "
              "on its own in practice (GDPR Art. 22; C-634/21).",
        "sv": "Avsikten: en behörig sjuksköterska väger poängen mot annan information och "
              "beslutar. Vi dokumenterar hur, och kontrollerar under användningen att poängen "
              "inte avgör på egen hand i praktiken (artikel 22 i dataskyddsförordningen; mål "
              "C-634/21)."},
}
_LEAK = {
    "measured": {"en": "Measured: see the attack results and their baseline in part 3 of this "
                       "draft.",
                 "sv": "Mätt: se attackresultaten och deras jämförelsenivå i del 3 i det här "
                       "utkastet."},
    "not_measured": {"en": "Not measured yet: lesson 05 measures it. Until then we treat the "
                           "model and its updates as personal data.",
                     "sv": "Inte mätt ännu: lektion 05 mäter det. Till dess behandlar vi "
                           "modellen och dess uppdateringar som personuppgifter."},
}
_FLAGGED = {"start_here.controller", "local_models.quality_or_research",
            "federated.joint_controllers", "privacy_defences.epsilon",
            "dpia_and_next_steps.automated_decisions"}


def example_answers(facts: ExperimentFacts | None = None, lang: str | None = None
                    ) -> dict[str, Answer]:
    """A few answers a project group might give, for lesson 08's worked example, in ``lang``
    (default: the course's language).

    The answer about the membership attack matches ``facts``: it points to the measured
    result when there is one and says it is still to be measured when there is none.
    """
    lang = language(lang)
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r}: the example exists in {LANGUAGES}")
    measured = facts is not None and bool(facts.attacks)
    text = {cid: by_lang[lang] for cid, by_lang in _TEXT.items()}
    text["what_leaks.membership_tpr"] = _LEAK["measured" if measured else "not_measured"][lang]
    text["privacy_defences.epsilon"] = ""
    return {cid: Answer(step=cid.split(".")[0], answer=answer, ask_dpo=cid in _FLAGGED)
            for cid, answer in text.items()}
