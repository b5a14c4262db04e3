"""``show_cards``: a step's GDPR questions as a panel to answer in, at the end of every lesson.

In JupyterLab the cards appear as an ipywidgets panel: a language toggle (English/Svenska),
and per card its question, who answers first and the ⚖ mark of unsettled law (visible
before the details are opened), a labelled text box and an "ask our DPO" tick box. Every
change is saved at once to the answers file (:mod:`fedlearn_kit.gdpr.answers`), never to the
notebook, and is there again after a kernel restart. The toggle changes every line: the
heading, the law note, each card, the labels and the status line.

A lesson's cards cell imports what it needs (``from fedlearn_kit.gdpr import show_cards``),
so a learner can run that one cell as soon as the lesson opens, without running the lesson:
the way to answer a demonstrated lesson's cards. Where widgets cannot render (nbval, an HTML
export, a terminal) the same output carries the cards as Markdown, identical on every run,
saying how to get the panel and how to answer without it.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from typing import Any

from fedlearn_kit.gdpr.answers import Answer, AnswersFileError, AnswerStore
from fedlearn_kit.gdpr.cards import (
    LANGUAGES,
    Card,
    cards_for,
    step_markdown,
    step_title,
)
from fedlearn_kit.gdpr.lawref import laws_in
from fedlearn_kit.i18n import N_, _, language, ngettext

#: How to answer where the panel cannot render, and what the cards are (and are not).
_FALLBACK_NOTE = N_(
    "**How to answer.** Click in the cell above these cards and press Shift+Enter: a panel "
    "with a box for each question appears here. You need not run the rest of the lesson "
    "first. Your answers are saved in `fedlearn-answers.json` beside the lesson (or where "
    "`FEDLEARN_ANSWERS` points), never in the lesson.")
_ELSEWHERE_NOTE = N_(
    "*Without the panel* (VS Code, classic Notebook, a terminal): run "
    "`kit.gdpr.answer(\"<card id>\", \"your answer\", ask_dpo=False)` in a cell, or in a "
    "terminal run `fedlearn-kit answers template`, fill in `fedlearn-answers.md` and run "
    "`fedlearn-kit answers import fedlearn-answers.md`.")
_LAW_NOTE = N_("Law as of {date}. Teaching material, not legal advice.")


def law_as_of(cards: Iterable[Card]) -> str:
    """The oldest "law as of" date of these cards (each card states the day its law was
    checked); the DPIA text's own date where cards carry none."""
    from fedlearn_kit.gdpr.dpia_text import LAW_AS_OF

    dates = [str(d) for c in cards if (d := getattr(c, "law_as_of", None))]
    return min(dates) if dates else LAW_AS_OF


def law_note(cards: Iterable[Card], lang: str | None = None) -> str:
    """ "Law as of <date>. Teaching material, not legal advice." in ``lang`` (default: the
    course's language)."""
    lang = language(lang)
    check_lang(lang)
    return _(_LAW_NOTE, lang).format(date=law_as_of(cards))


#: The panel's labels for a card's details (the Markdown fallback has the cards' own).
_DETAIL_LABELS = {
    "why": N_("Why it matters"), "shown": N_("In this notebook"), "law": N_("Law"),
    "sources": N_("Sources"), "open": N_("Unsettled"), "heading": N_("GDPR questions"),
    "role": N_("Who should answer"), "good": N_("A good answer covers"),
    "as_of": N_("law as of"),
}


def check_lang(lang: str) -> None:
    """Refuse a language the cards do not exist in, saying which ones they do."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r}: the cards exist in {LANGUAGES}; use 'en' or 'sv'.")


_WIDGET_TEXT = {
    "ask_dpo": N_("Ask our DPO about this"), "placeholder": N_("Saved to {file} as you type."),
    "answer": N_("Your answer"), "saved": N_("Saved to {file}."),
    "new": N_("Answers will be saved to {file}."),
    "details": N_("Why, where, law and sources"), "not_saved": N_("NOT SAVED: {reason}"),
    "first": N_("Who answers first"), "unsettled": N_("⚖ Unsettled law: see the details."),
}


def loaded_message(n: int, file: object, lang: str | None = None) -> str:
    """ "1 answer loaded from F." / "3 answers loaded from F." in ``lang`` (plural right)."""
    return ngettext("{n} answer loaded from {file}.", "{n} answers loaded from {file}.", n,
                    lang).format(n=n, file=file)


def _in_kernel() -> bool:
    """True inside a Jupyter kernel, where a widget can reach a front end."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class CardPanel:
    """The cards of one step with the learner's answers; displays as widgets or Markdown.

    For browser tests, the panel's DOM carries stable classes: ``fedlearn-cards`` (the
    panel), ``fedlearn-cards-lang`` (the language toggle), ``fedlearn-card`` and
    ``fedlearn-card-<id with dots and underscores as dashes>`` (one card),
    ``fedlearn-answer`` (its text box), ``fedlearn-ask-dpo`` (its flag) and
    ``fedlearn-cards-status`` (the saved/error line).

    ``markdown()`` never contains answers (they stay in the answers file), so the stored
    output of a notebook is the same for everyone.
    """

    def __init__(self, step: str, answers_file: str | os.PathLike[str] | None = None,
                 lang: str | None = None) -> None:
        lang = language(lang, answers_file)
        check_lang(lang)
        self.step = step
        self.cards: tuple[Card, ...] = cards_for(step)
        self.store = AnswerStore(answers_file)
        self.answers: dict[str, Answer] = self.store.load()  # a broken file stops us here
        self.lang = lang
        self._widget: Any = None
        self._card_html: dict[str, Any] = {}
        self._boxes: dict[str, tuple[Any, Any]] = {}
        self._status: Any = None
        self._status_message: tuple[str, dict[str, Any], bool] | None = None
        self._title: Any = None
        self._law: Any = None

    # -- text ---------------------------------------------------------------------------
    def markdown(self) -> str:
        """The step's cards as Markdown, without answers: deterministic for nbval.

        After the heading and the not-legal-advice line: how to answer outside JupyterLab.
        Each card shows its own "law as of" date.
        """
        cards_text = step_markdown(self.step, self.lang, answer_note=False)
        heading, advice, rest = cards_text.split("\n\n", 2)
        return "\n\n".join([heading, advice, _(_FALLBACK_NOTE, self.lang),
                            _(_ELSEWHERE_NOTE, self.lang), rest])

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return self.markdown()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        text = self.markdown()
        bundle: dict[str, Any] = {"text/plain": text, "text/markdown": text}
        if _in_kernel():
            try:
                widget = self.widget()
            except ImportError:  # ipywidgets missing: the Markdown is all we can show
                return bundle
            view = widget._repr_mimebundle_().get("application/vnd.jupyter.widget-view+json")
            if view:
                bundle["application/vnd.jupyter.widget-view+json"] = view
        return bundle

    # -- widgets ------------------------------------------------------------------------
    def _card_body(self, card: Card, lang: str) -> str:
        """A card's text: question, the other language's question, then the cues a round
        needs before anything is opened (who answers first, ⚖), then the details."""
        e = html.escape
        label = {key: _(text, lang) for key, text in _DETAIL_LABELS.items()}
        words = {key: _(text, lang) for key, text in _WIDGET_TEXT.items()}
        other = "sv" if lang == "en" else "en"
        cues = []
        if card.role:
            cues.append(f"<b>{e(words['first'])}:</b> {e(card.role_labels(lang)[0])}")
        if card.unsettled:
            cues.append(f"<b style='color:#8a4b00'>{e(words['unsettled'])}</b>")
        rows = [(label["why"], card.text("why", lang)),
                (label["shown"], card.text("shown_in", lang)),
                (label["role"], ", ".join(card.role_labels(lang))),
                (label["law"], laws_in(card.law, lang) + f" ({label['as_of']} {card.law_as_of})")]
        if card.unsettled:
            rows.append(("⚖ " + label["open"], card.text("open", lang)))
        rows += [(label["good"], " · ".join(card.points(lang))),
                 (label["sources"], "; ".join(s.cite(lang) for s in card.sources))]
        items = "".join(f"<li><b>{e(k)}:</b> {e(v)}</li>" for k, v in rows)
        return (f"<p style='margin:0'><b>{e(card.text('question', lang))}</b><br>"
                f"<i lang='{other}' style='color:#57606a'>{e(card.text('question', other))}"
                f"</i> <code style='color:#57606a'>{e(card.id)}</code></p>"
                f"<p class='fedlearn-card-cues' style='margin:2px 0'>{' · '.join(cues)}</p>"
                f"<details><summary>{e(words['details'])}</summary>"
                f"<ul>{items}</ul></details>")

    def _set_status(self, key: str, error: bool = False, **values: Any) -> None:
        """Show the status line ``key`` of _WIDGET_TEXT (or "loaded") in the panel's language;
        it is shown again in the other language when the toggle changes."""
        self._status_message = (key, values, error)
        if self._status is None:
            return
        if key == "loaded":
            message = loaded_message(values["n"], values["file"], self.lang)
        else:
            message = _(_WIDGET_TEXT[key], self.lang).format(**values)
        colour = "#b00020" if error else "#57606a"
        self._status.value = f"<span style='color:{colour}'>{html.escape(message)}</span>"

    def _save(self, card: Card) -> None:
        text_box, dpo_box = self._boxes[card.id]
        try:
            self.answers[card.id] = self.store.save(card.id, card.step, text_box.value,
                                                    dpo_box.value, language=self.lang)
        except (AnswersFileError, OSError) as err:
            self._set_status("not_saved", True, reason=err)
        else:
            self._set_status("saved", file=self.store.path)

    def _relabel(self, lang: str) -> None:
        """Every line of the panel in ``lang``: heading, law note, cards, labels, status."""
        self.lang = lang
        words = {key: _(text, lang) for key, text in _WIDGET_TEXT.items()}
        self._title.value = (f"<h3>{html.escape(_(_DETAIL_LABELS['heading'], lang))} · "
                             f"{html.escape(step_title(self.step, lang))}</h3>")
        self._law.value = (f"<p style='color:#57606a;margin:2px 0'>"
                           f"{html.escape(law_note(self.cards, lang))}</p>")
        for card in self.cards:
            self._card_html[card.id].value = self._card_body(card, lang)
            text_box, dpo_box = self._boxes[card.id]
            text_box.placeholder = words["placeholder"].format(file=self.store.path.name)
            text_box.description = words["answer"]
            dpo_box.description = words["ask_dpo"]
        if self._status_message is not None:
            key, values, error = self._status_message
            self._set_status(key, error, **values)

    def widget(self) -> Any:
        """The ipywidgets panel (built once): toggle, then per card a text box and a flag."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        try:
            lang = self.store.language() or self.lang
        except AnswersFileError:
            lang = self.lang
        toggle = w.ToggleButtons(options=[("English", "en"), ("Svenska", "sv")], value=lang,
                                 style={"button_width": "90px"})
        toggle.add_class("fedlearn-cards-lang")
        self._status = w.HTML()
        self._status.add_class("fedlearn-cards-status")
        self._title = w.HTML()
        self._law = w.HTML()
        self._law.add_class("fedlearn-cards-law")
        rows = []
        for card in self.cards:
            saved = self.answers.get(card.id, Answer(step=card.step))
            self._card_html[card.id] = w.HTML()
            # The description is the box's <label>: a screen reader names the box by it.
            text_box = w.Textarea(value=saved.answer, continuous_update=True,
                                  style={"description_width": "initial"},
                                  layout=w.Layout(width="100%", height="80px"))
            dpo_box = w.Checkbox(value=saved.ask_dpo, indent=False)
            text_box.add_class("fedlearn-answer")
            dpo_box.add_class("fedlearn-ask-dpo")
            self._boxes[card.id] = (text_box, dpo_box)
            text_box.observe(lambda _change, c=card: self._save(c), names="value")
            dpo_box.observe(lambda _change, c=card: self._save(c), names="value")
            row = w.VBox([self._card_html[card.id], text_box, dpo_box],
                         layout=w.Layout(border="1px solid #ddd", padding="6px", margin="4px 0"))
            row.add_class("fedlearn-card")
            row.add_class("fedlearn-card-" + card.id.replace(".", "-").replace("_", "-"))
            rows.append(row)
        n = sum(a.answered or a.ask_dpo for cid, a in self.answers.items()
                if any(c.id == cid for c in self.cards))
        if n:
            self._set_status("loaded", n=n, file=self.store.path)
        else:
            self._set_status("new", file=self.store.path)
        self._relabel(lang)

        def on_toggle(change: dict[str, Any]) -> None:
            self._relabel(change["new"])
            try:
                self.store.save_language(change["new"])
            except (AnswersFileError, OSError) as err:
                self._set_status("not_saved", True, reason=err)

        toggle.observe(on_toggle, names="value")
        self._widget = w.VBox([self._title, self._law, toggle, *rows, self._status])
        self._widget.add_class("fedlearn-cards")
        return self._widget


def show_cards(step: str, answers_file: str | os.PathLike[str] | None = None,
               lang: str | None = None) -> None:
    """Show a step's GDPR question cards at the end of a lesson, to answer in (every lesson).

    ``step`` is the notebook slug ("start_here", "federated", ...). Answers go to
    ``answers_file`` (default: $FEDLEARN_ANSWERS, else ``fedlearn-answers.json`` in the
    notebook's folder) and are reloaded the next time. ``lang`` ("en" or "sv") is the
    language of the printed Markdown, by default the course's (:func:`fedlearn_kit.i18n.
    language`: a Swedish lesson's folder gives Swedish); the panel offers both and opens in
    the language the learner last chose in it. Outside Jupyter the cards are
    printed as Markdown. A broken answers file raises AnswersFileError and is left untouched.
    """
    panel = CardPanel(step, answers_file=answers_file, lang=lang)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(panel.markdown())
        return
    if get_ipython() is None:
        print(panel.markdown())
    else:
        display(panel)
