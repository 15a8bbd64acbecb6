"""The conversation itself: one patient message in, one assistant turn out.

`Assistant.start` opens a session (triage, or pre-consultation "一诉五史"); `Assistant.reply`
reads a message, applies it to the state, checks red flags, and asks the next question that is
still open. Every assistant turn has short text, tappable quick replies and, where it helps, a
hint for free text. The state is plain data, so a session can resume anywhere, any time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from conversations.absorb import OCCUPATION, absorb, route_clauses
from conversations.answer_fit import (
    fits_options,
    fits_slot,
    option_or_words,
    tapped_options,
    yes_no,
)
from conversations.answers import (
    CHIEF,
    DURATION,
    MAX_UNCLEAR,
    UNANSWERED,
    answer_associated,
    answer_duration,
    answer_worse_better,
    applicable_to,
    named_lead,
)
from conversations.department_model import DepartmentModel
from conversations.emergency_model import EmergencyModel
from conversations.facts import deny_list, set_fact
from conversations.knowledge import Knowledge, Question
from conversations.nlu import Understanding, not_an_answer, understand
from conversations.note import LIST_SLOTS, NoteWriter, PreVisitNote
from conversations.safety import look_for_danger, record, start_screening
from conversations.state import (
    DialogueState,
    Fact,
    Message,
    PatientContext,
    RedFlagHit,
)
from conversations.triage import TriageResult, recommend

ModelHelper = Callable[[str, DialogueState], None]

CONFIRM_OPTIONS = ("是的，没变", "有变化")
REVIEW_OPTIONS = ("确认无误", "我要修改")
TRIAGE_QUESTION_LIMIT = 3
# Questions whose choices are categories (突然/慢慢, 一直/一阵一阵): free text must fit one.
# 胃不舒服 老是反酸烧心: "discomfort" only says where; what the patient named in the same breath
# says what, and leads the note and the questions
_VAGUE_LEADS = frozenset({"abdominal_discomfort"})
_INFORMANT_ASIDE = re.compile(r"替(他|她|我)(说|打|问)|帮(他|她|我)(说|打|问)|代(他|她)|帮我打的字"
                              r"|替他打字|我来说")
_WORSE_BETTER = ("present_illness.aggravating", "present_illness.relieving")


@dataclass
class Turn:
    """What the assistant says back."""

    text: str
    quick_replies: list[str] = field(default_factory=list)
    hint: str | None = None
    stage: str = "chief_complaint"
    question: str | None = None
    red_flag: RedFlagHit | None = None
    triage: TriageResult | None = None
    note: PreVisitNote | None = None

    @property
    def done(self) -> bool:
        return self.stage in {"emergency", "done", "triage_result"}


class Assistant:
    """Stateless service object: all conversation state lives in `DialogueState`."""

    def __init__(self, knowledge: Knowledge, model_helper: ModelHelper | None = None,
                 emergency_model: EmergencyModel | None = None,
                 department_model: DepartmentModel | None = None) -> None:
        self.knowledge = knowledge
        self.emergency_model = emergency_model
        self.department_model = department_model
        self.notes = NoteWriter(knowledge)
        self.model_helper = model_helper
        self.all_departments = {code: d["name"] for code, d in
                                knowledge.departments.departments.items()}

    # -- opening and replying -------------------------------------------------------------

    def start(self, mode: str, patient: PatientContext,
              known: dict[str, tuple[object, str]] | None = None) -> tuple[DialogueState, Turn]:
        """Open a session; `known` facts (key → (value, words)) are offered, not re-asked."""
        state = DialogueState(mode=mode, patient=patient)
        for key, (value, words) in (known or {}).items():
            state.known[key] = _known_fact(key, value, words)
        greeting = ("您好，我是医院的智能导诊助手，帮您找到合适的科室。"
                    if mode == "triage" else
                    "您好，我是预问诊助手。看病前先把情况告诉我，医生会提前看到。")
        return state, self._ask(state, CHIEF, prefix=greeting)

    def reply(self, state: DialogueState, message: str,
              departments: dict[str, str] | None = None) -> Turn:
        if state.stage == "emergency" and not (state.red_flag and
                                               state.red_flag.level == "possible"):
            return self.closing_turn(state, departments)
        if state.finished:  # after a triage result, a note or a *possible* emergency
            return self._after_the_end(state, message, departments)
        record(state, message)
        u = understand(message, self.knowledge.lexicon)
        if u.back:  # a request to go back is still read for danger first
            hit = look_for_danger(self.knowledge, state, u, message, None,
                                  with_language_model=False, emergency_model=None)
            return self._raise(state, hit) if hit else self._go_back(state)
        if state.stage == "review" and _confirms(message, u):
            self.finish_review(state)
            return self._say(state, Turn(text="好的，预问诊记录已整理好，医生看病前会先看到。",
                                         stage="done", note=self.note(state)))
        absorb(state, u, message.strip(), self.knowledge.lexicon)
        if self.model_helper is not None:
            self.model_helper(message, state)
        screened, state.screening = state.screening, None
        if screened is None:
            self._answer_open_question(state, u, message.strip())
        possible = state.red_flag is not None and state.red_flag.level == "possible"
        # The second look was trained on why patients come, not on answers to our questions:
        # once a pre-visit interview knows the complaint, the rules alone read the answers.
        opening = state.mode != "pre_consultation" or CHIEF.key not in state.facts \
            or state.facts[CHIEF.key].turn == state.turn
        hit = look_for_danger(self.knowledge, state, u, message, screened,
                              with_language_model=self.model_helper is not None and not possible,
                              emergency_model=self.emergency_model
                              if opening and not possible else None)
        if hit:
            return self._raise(state, hit)
        return self._next(state, departments)

    def _after_the_end(self, state: DialogueState, message: str,
                       departments: dict[str, str] | None) -> Turn:
        """A message after the triage result or the confirmed note is still read for danger
        (说话也接不上气了): the red flags never stop listening. Anything else gets the closing."""
        record(state, message)
        u = understand(message, self.knowledge.lexicon)
        absorb(state, u, message.strip(), self.knowledge.lexicon)
        screened, state.screening = state.screening, None
        possible = state.red_flag is not None and state.red_flag.level == "possible"
        hit = look_for_danger(self.knowledge, state, u, message, screened,
                              with_language_model=False,
                              emergency_model=None if possible else self.emergency_model)
        if hit and possible and hit.level != "emergency":
            hit = None  # already told it may be an emergency: only a rule raises it further
        if hit is None and possible and state.mode == "pre_consultation" and \
                state.stage == "emergency":
            # Told once that it may be urgent, the patient goes on answering: the interview
            # goes on, and the possible flag stays on the record for the doctor.
            state.stage = "present_illness"
            return self._next(state, departments)
        return self._raise(state, hit) if hit else \
            self._say(state, self.closing_turn(state, departments))

    def _raise(self, state: DialogueState, hit: RedFlagHit) -> Turn:
        """A screening question, or the emergency advice that ends the interview."""
        if hit.level == "screen":
            return self._say(state, Turn(text=start_screening(self.knowledge, state, hit),
                                         quick_replies=["有", "没有"], stage="screening",
                                         red_flag=hit))
        state.red_flag, state.stage, state.current = hit, "emergency", None
        return self._say(state, Turn(text=hit.advice, quick_replies=["拨打120", "我知道了"],
                                     stage="emergency", red_flag=hit))

    def note(self, state: DialogueState) -> PreVisitNote:
        return self.notes.build(state)

    def triage(self, state: DialogueState, departments: dict[str, str] | None = None
               ) -> TriageResult:
        return recommend(self.knowledge, state, departments or self.all_departments,
                         self.department_model)

    def closing_turn(self, state: DialogueState, departments: dict[str, str] | None) -> Turn:
        if state.stage == "emergency" and state.red_flag:
            return Turn(text=state.red_flag.advice, quick_replies=["拨打120"], stage="emergency",
                        red_flag=state.red_flag)
        if state.stage == "triage_result":
            return self._triage_turn(state, departments)
        return Turn(text="本次问诊已经完成。如需补充，请在记录里修改。", stage=state.stage,
                    note=self.note(state))

    # -- understanding the answer to the open question ------------------------------------

    def _answer_open_question(self, state: DialogueState, u: Understanding, words: str) -> None:
        key = state.current
        if state.confirming:
            self._confirm_known(state, u, words)
            return
        free = route_clauses(state, self.knowledge.lexicon, self.knowledge.cues, words,
                             applicable_to(state), self.knowledge.occupation)
        if key == CHIEF.key or state.complaint is None:
            self._choose_complaint(state, words)
        if key is None or key == CHIEF.key or state.stage == "review":
            return
        if key in state.facts and state.facts[key].turn == state.turn:
            return  # free text already answered it
        if key == "present_illness.associated":
            answer_associated(state, u, words)
            return
        question = self._question(state, key)
        if question and key != DURATION.key and tapped_options(question, words):
            # A tapped option (or the options typed) answers the question, even when it also
            # names a symptom (入睡困难 to 主要是哪种睡不好？).
            set_fact(state, key, "、".join(tapped_options(question, words)), words)
            return
        answer = "，".join(c for c in free if not not_an_answer(c))
        intent = understand(answer, self.knowledge.lexicon)
        if not answer or (intent.affirm and not yes_no(self._question(state, key))):
            # The patient talked about something else (already filed where it belongs), greeted,
            # or asked a question: ask once more in other words, then record it as unanswered.
            state.retries[key] = state.retries.get(key, 0) + 1
            if state.retries[key] >= 2:
                set_fact(state, key, None if key == DURATION.key else UNANSWERED, words)
            return
        if key != DURATION.key and not (intent.skip or intent.uncertain or intent.deny) \
                and not (fits_options(question, answer) and fits_slot(key, intent)):
            # A question with fixed choices answered with something else (下午疼得厉害些 to
            # 突然还是慢慢开始的): not its answer. Asked once more, then 未答.
            state.retries[key] = state.retries.get(key, 0) + 1
            if state.retries[key] >= 2:
                set_fact(state, key, UNANSWERED, words)
            return
        if intent.skip:
            set_fact(state, key, None if key == DURATION.key else "跳过", words)
        elif intent.uncertain:
            set_fact(state, key, None if key == DURATION.key else "不详", words, uncertain=True)
        elif intent.deny:
            if _is_list_slot(key):
                deny_list(state, key, words)
            else:
                set_fact(state, key, None if key == DURATION.key else "无", words)
        elif key == DURATION.key:
            answer_duration(state, answer)
        elif intent.affirm:  # 嗯 / 对 to a yes-or-no question is a "yes", not the word 嗯
            set_fact(state, key, "有", words)
        elif key in _WORSE_BETTER:
            answer_worse_better(state, key, answer)
        else:
            value = option_or_words(self._question(state, key), answer)
            if key == OCCUPATION:
                value = self.knowledge.occupation(value)
            set_fact(state, key, value, answer)

    def _choose_complaint(self, state: DialogueState, words: str) -> None:
        """The first affirmed symptom that has a question set for this patient leads."""
        if state.complaint or CHIEF.key in state.facts:
            return
        # Said while explaining who is typing (他耳朵背，我替他说): why they came comes after.
        asides = {m.turn for m in state.transcript if m.role == "patient"
                  and _INFORMANT_ASIDE.search(m.text)}
        present = sorted((s for s in state.symptoms.values() if s.present and not s.history),
                         key=lambda s: (s.turn in asides, s.turn, s.resolved,
                                        s.concept in _VAGUE_LEADS))
        lead = named_lead(state) if not present else None
        if not present and lead is None:
            state.unclear += 1
            return
        # a symptom that has gone (咳嗽 不咳了 现在主要是没劲) leads only when nothing else is left
        ongoing = [s for s in present if not s.resolved] or present
        chosen = lead or next((s for s in ongoing if self._complaint_for(state, s.concept)),
                              ongoing[0])
        complaint = self._complaint_for(state, chosen.concept)
        state.complaint = complaint.id if complaint else None
        state.unclear = 0
        set_fact(state, CHIEF.key, chosen.concept, words if lead else chosen.words)
        state.facts[CHIEF.key].turn = chosen.turn

    def _complaint_for(self, state: DialogueState, concept: str):
        matches = [c for c in self.knowledge.complaints.values() if concept in c.symptoms]
        wanted = "child" if state.patient.is_child else None
        for complaint in matches:
            if complaint.population == wanted:
                return complaint
        return next((c for c in matches if c.population != "child"), None)

    def _confirm_known(self, state: DialogueState, u: Understanding, words: str) -> None:
        key, state.confirming = state.confirming, None
        known = state.known.pop(key)
        if u.affirm or "没变" in words or words.startswith("是"):
            set_fact(state, key, known.value, known.words, source="known")
        # otherwise the original question is asked next, as if nothing were known

    # -- choosing what to say next ---------------------------------------------------------

    def _plan(self, state: DialogueState) -> list[Question]:
        questions: list[Question] = [DURATION] if state.facts.get(CHIEF.key) else []
        complaint = self.knowledge.complaints.get(state.complaint or "")
        if complaint:
            # A question about a symptom the patient already spoke of (extra.sputum after 黄痰,
            # 没有痰) is not asked again.
            questions += [q for q in complaint.questions
                          if q.key.removeprefix("present_illness.extra.") not in state.symptoms]
        if state.mode == "pre_consultation":
            applicable = applicable_to(state)
            for items in self.knowledge.history.values():
                questions += [q for q in items if applicable(q.key)]
        return questions

    def _question(self, state: DialogueState, key: str) -> Question | None:
        return next((q for q in self._plan(state) if q.key == key), None)

    def _next(self, state: DialogueState, departments: dict[str, str] | None) -> Turn:
        if state.facts.get(CHIEF.key) is None:
            if state.unclear > MAX_UNCLEAR and state.mode == "pre_consultation":
                # 洗手停不下来: not in our words, but the doctor should still get a note. The
                # patient's own first words are the complaint, and the interview goes on.
                said = next((m.text for m in state.transcript if m.role == "patient"
                             and not not_an_answer(m.text)), None)
                if said:
                    set_fact(state, CHIEF.key, said.strip(), said.strip(), uncertain=True)
                    return self._next(state, departments)
            if state.unclear > MAX_UNCLEAR:
                state.stage = "triage_result"
                return self._triage_turn(state, departments)
            return self._ask(state, CHIEF, prefix="抱歉，我没太听明白。" if state.unclear else "")
        if state.stage == "review":
            return self._review_turn(state)
        pending = [q for q in self._plan(state) if q.key not in state.facts]
        if state.mode == "triage" and self._triage_ready(state, pending, departments):
            state.stage = "triage_result"
            return self._triage_turn(state, departments)
        if not pending:
            if state.mode == "triage":
                state.stage = "triage_result"
                return self._triage_turn(state, departments)
            state.stage = "review"
            return self._review_turn(state)
        question = pending[0]
        if question.key in state.known:
            state.confirming = question.key
            known = state.known[question.key]
            return self._say(state, Turn(
                text=f"上次您说过：{self.notes.display(known)}。现在还是这样吗？",
                quick_replies=list(CONFIRM_OPTIONS), stage="history", question=question.key))
        return self._ask(state, question)

    def _triage_ready(self, state: DialogueState, pending: list[Question],
                      departments: dict[str, str] | None) -> bool:
        if DURATION.key not in state.facts:
            return False
        complaint_questions = [k for k in state.asked
                               if k.startswith("present_illness.") and k in state.facts]
        if len(complaint_questions) >= TRIAGE_QUESTION_LIMIT or not pending:
            return True
        if len(complaint_questions) < 1:
            return False
        return self.triage(state, departments).settled

    def _ask(self, state: DialogueState, question: Question, prefix: str = "") -> Turn:
        state.current = question.key
        if question.key not in state.asked:
            state.asked.append(question.key)
        section = question.key.split(".", 1)[0]
        state.stage = {"chief_complaint": "chief_complaint", "present_illness": "present_illness"
                       }.get(section, "history")
        ack = "好的。" if state.turn and not prefix else ""
        if state.retries.get(question.key) and not prefix:
            ack = "不好意思，我换个说法再问一次。" + ("您也可以直接点下面的选项。"
                                                 if question.options else "")
        return self._say(state, Turn(text=f"{prefix}{ack}{question.ask}",
                                     quick_replies=list(question.options), hint=question.hint,
                                     stage=state.stage, question=question.key))

    def _triage_turn(self, state: DialogueState, departments: dict[str, str] | None) -> Turn:
        result = self.triage(state, departments)
        state.triage, state.triage_uncertain = result.recommendations, result.uncertain
        lines = [f"{i}. {r.name}（{r.reason}）" for i, r in enumerate(result.recommendations, 1)]
        head = ("我还不能确定您该看哪个科。" if result.uncertain else "根据您说的情况，建议您挂：")
        return self._say(state, Turn(
            text=head + "\n" + "\n".join(lines),
            quick_replies=[f"挂{r.name}" for r in result.recommendations[:2]] + ["重新描述"],
            stage="triage_result", triage=result))

    def _review_turn(self, state: DialogueState) -> Turn:
        state.current = None
        note = self.note(state)
        return self._say(state, Turn(
            text="我把您说的情况整理好了，请看看对不对：\n" + note.narrative,
            quick_replies=list(REVIEW_OPTIONS), hint="要修改的话，直接说，比如：不对，是五天",
            stage="review", note=note))

    def _go_back(self, state: DialogueState) -> Turn:
        if state.current and state.asked and state.asked[-1] == state.current:
            state.asked.pop()
        if not state.asked:
            return self._ask(state, CHIEF)
        previous = state.asked.pop()
        state.facts.pop(previous, None)
        question = self._question(state, previous) or CHIEF
        return self._ask(state, question, prefix="好的，我们回到上一题。")

    def _say(self, state: DialogueState, turn: Turn) -> Turn:
        state.transcript.append(Message("assistant", turn.text, state.turn))
        return turn

    def finish_review(self, state: DialogueState) -> None:
        """The patient confirmed the note: the conversation is over."""
        state.stage, state.current = "done", None


def _confirms(message: str, u: Understanding) -> bool:
    return "确认" in message or (u.affirm and not u.mentions and u.duration is None)


def _is_list_slot(key: str) -> bool:
    return key in LIST_SLOTS or key == "family.history"


def _known_fact(key: str, value: object, words: str) -> Fact:
    return Fact(key=key, value=value, words=words, turn=0, source="known")
