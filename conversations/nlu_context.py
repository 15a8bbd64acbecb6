"""What surrounds a mention and changes what it means: time, whose it is, and whether it is said.

A term is only the start. "不咳了" is a cough that was and is no longer; "小时候抽过风" is history;
"惊厥是什么意思" and "怕孩子抽筋" are not statements at all; "我邻居中风了" is not about the
patient; "青霉素过敏，起一身疹子" is an allergy's reaction, not today's rash. These readers work
on the normalised text and on spans, and are shared by the NLU and the red-flag rules; where a
feeling is (胸口也不疼) is read in `nlu_sites`.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A question or a worry about a thing, not a statement that it is there.
HYPOTHETICAL_BEFORE = re.compile(
    r"会不会|怕(?!冷|热|光|风|吵|声)|担心|害怕|万一|如果|(?<![主只需重])要是|假如|差点|差一点|险些|预防|避免|防止|防着|以防"
    r"|是不是|需不需要|要不要|能不能|可不可以|应该怎么|如何|怎样|书上|网上(?:说|看|写|讲|查到|有人|都说|的文章|视频)|科普|文章|新闻|怎么防|防"
    r"|视频里|视频上|电视剧|电视里|电影里|小说里|听说|打完会|打了会|想学|以为")
HYPOTHETICAL_AFTER = re.compile(
    r"^[^。；;！!？?]{0,8}(?:是什么|是啥|什么意思|啥意思|怎么(?:预防|防)|如何预防|是[^，,。]{0,4}(?:前兆|征兆|信号)"
    r"|有什么(?:症状|表现|危害)|怎么样才|急救要?怎么做|要?怎么急救)")
# 执业医师考试题 患者右侧偏瘫伴失语 / 剧里男主胸口剧痛倒地: a quiz or a story about a case or a
# character, with no real person named and nothing said to happen now or asked for help
# (考试题做不出来 不想活了 is the typist's own distress: no case, no frame).
STORY_OR_QUIZ = re.compile(r"考试题|考题|试题|选择题|这道题|题目|执业医师|考点|剧里|剧中|剧情"
                           r"|追剧|电视剧|小说里|小说中|电影里|电影中|动画片里")
STORY_CASE = re.compile(r"患者|病人|女主(?!人)|男主(?!人)|主角|角色")
SOMEONE_REAL = re.compile(r"我|俺|咱|自己|本人|孩子|宝宝|儿子|女儿|闺女|老公|老婆|爱人|媳妇|对象"
                          r"|爸|妈|爷|奶|姥|外公|外婆|公公|婆婆|家里|家人|他|她|老伴|老头|老太"
                          r"|同学|同事|朋友|邻居|室友")
REAL_NOW = re.compile(r"刚才|刚刚|现在|正在|这会|怎么办|救命|120|快来|急")
# 溺水 已经住院观察了一晚 今天出院 / 中毒 上周住院 已经出院了: said, after the words, to have been
# treated and discharged, as a finished statement; not a question (抢救过来了吗), not a new event
# after it (出院第二天, 刚出院没几天), not with anything sudden or still going on in the message
SEEN_TO = re.compile(r"(?:已经|今天|昨天|前天|上周|上个?月|早就)(?:就)?出院了?"
                     r"(?![吗么没]|第|以后|后|没几天|不久|才)|抢救过来了(?![吗么没])")
RENEWED = re.compile(r"又|突然|忽然|刚才|刚刚|还在|还是|仍|没醒|不醒|越来越|再次|复发|加重|现在还"
                     r"|[吗？?]|(?<![什怎这那多])么")
# Someone who is not the patient: what happens to them is neither a symptom nor family history.
# 被邻居家狗咬了: whose dog it was, the bite is the patient's
OTHER_PEOPLE = re.compile(r"(?:邻居|同事|朋友|同学|别人|隔壁|楼上|楼下)(?!(?:邻居)?家?的?[狗猫])"
                          r"|(?<!老)人家|新闻|电视上|听说"
                          r"|网上(?:说|看|写|讲|查到|有人|都说|的文章|视频)"
                          r"|村里|单位里|熟人|病友|室友|别人家|工友|老乡|同伴|队友"
                          r"|(?:村|单位|小区|厂|学校|楼)里?有(?:个)?人")
# "was and is no longer": 不咳了 / 没再吐 / 烧退了 / 疹子消了.
RESOLVED_AFTER = re.compile(
    r"^(?:也|都|已经|早就|现在|基本)*(?:退了|好了|消了|没了|止住了|消失了|不见了|停了|下去了"
    r"|缓解了|退下去了|好利索了)")
NEGATED_THEN_GONE = re.compile(r"^(?:了|啦|咯)")
# 前阵子嗓子疼了几天 现在好了: the next clause says, and only says, that it is gone
GONE_NEXT = re.compile(r"[，,\s]+(?:现在|已经|早就|后来)?(?:都|也)?"
                       r"(?:好了|没了|不疼了|消了|退了|好利索了)(?=$|[，,。；;\s])")
NO_LONGER = re.compile(r"(?:不再|没再|没有再|再也没)$")
# A reaction said in the same sentence as an allergy belongs to the allergy, unless it is now.
LABEL_BEFORE = re.compile(r"(?:医生|大夫)?(?:说|诊断)(?:是|为)?")
NOW_WORDS = re.compile(r"现在|刚才|刚刚|刚|今天|正在|还在|这会|此刻|越来越|马上|一直在")
SENTENCE = re.compile(r"[。；;！!\n]+")
# A history cue that is overridden within the clause: 老毛病又犯了 / 以前就有，这次又… is now.
RECURRING_NOW = re.compile(r"又|这次|这回|最近|现在|目前|还在|今天|这几天|这两天|近来|再次|复发"
                           r"|加重|厉害了")
# Said of an earlier time: a red-flag phrase after these in its clause is history, not now.
HISTORY_CUE = re.compile(r"以前|以往|过去|曾经|从前|小时候|年轻时|年轻的时候|早年|当年|那年|去年"
                         r"|前年|[0-9几一二两三四五六七八九十多]+年前|好几年|上次|上回|那次"
                         r"|半年前|[0-9几一二两三四五六七八九十]+个多?月前|上个?月|上上个月"
                         r"|老毛病|[0-9几一二两三四五六七八九十]+岁多?(?:的时候|时)"
                         r"|前(?:几|两|些|三)年|那几年")
# Said of a lasting or recurring state, not of something that has just happened: 还是没劲 after a
# stroke, 每次来月经都疼得打滚.
CHRONIC_CUE = re.compile(r"至今|后遗症|遗留|留下了?|每次|每回|每个月|一到.{0,6}就|老毛病"
                         r"|以前也这样|一直这样|老这样|经常这样|(?:跟|和)(?:平时|往常|平常)一样|老样子"
                         r"|平时也是这样"
                         r"|(?:中过|得过)(?:一次|一回)?(?:风|脑梗|中风)[^。]{0,16}还"
                         r"|一(?:紧张|着急|生气|激动|闻到)[^，,。；;]{0,6}就")
# 晕倒过一次 / 抽过: a thing that has happened before (过 ending the phrase), unless now again.
# 感冒好了以后才有的 / 感冒那会儿烧到38度: a cold that came and went before this illness is
# history, not a symptom now (感冒以后开始的 流鼻涕 may still be going on: it stays).
ANTECEDENT_EVENTS = frozenset({"cold_symptoms"})
ANTECEDENT_AFTER = re.compile(r"(?:早就?)?(?:好了|完了?)(?:以后|之后|后)|那会儿|那时候")
# 先是发烧感冒 / 开始是感冒 咳了几天: how it started, not what is there now
ANTECEDENT_BEFORE = re.compile(r"(?:先是|开始是|一开始是|起先是|刚开始是|最开始是|起初是)"
                               r"[^，,。；;\s]{0,3}$")
PAST_AFTER = re.compile(r"过(?:一次|两次|几次|一回|两回|好几次|好几回)?(?=$|[，,。；;！!？?\s])")
# 还是 / 老是 / 经常 make only their own clause lasting: 喷了三次还是喘 指脉氧只有88 is now.
CHRONIC_NEAR = re.compile(r"还是|仍然|老是|总是|经常|动不动|爱出汗|容易出汗|老(?=出汗|冒汗|流汗)")
# 这半天老是迷糊: "always" within a spell that began today is not a lasting complaint
# 喷了两次还是喘不过来: still, after the medicine just taken, is this attack, not a lasting state
RECENT_SPELL = re.compile(r"这半天|半天了|这一上午|这一下午|从早上|今天一天|今早起"
                          r"|[喷吸用吃含打]了[^，,。；;]{0,8}(?:还是|仍然)")
ACUTE_NOW = re.compile(r"刚才|刚刚|刚|现在|突然|正在|还在|一直|还没|这会|今天|马上|都晕了|晕倒了"
                       r"|倒了|叫不醒|没反应")
# Signs a bystander sees now in the person beside them (同学浮上来不动, 室友下巴挨不到胸口)
HELP_NOW = re.compile(r"不动|没知觉|没气|没反应|叫不醒|挨不到|碰不到|抽起来|抽了.{0,3}分钟|口吐白沫"
                      r"|发紫|发青"
                      r"|按压|人工呼吸|缓过来|刚醒|躺在地上|倒在地上|躺地上|拉上来|捞上来|脸是青的"
                      r"|说(?:肚子|头|胸口|心口)?(?:疼|痛|难受|晕|恶心|想吐|喘不上来?气?)"
                      r"|敲门(?:不应|没人应)|没人开门")
# An event that is over for someone else: not the patient's emergency now.
ENDED_FOR_OTHERS = re.compile(r"没救过来|没抢救过来|去世|走了|过世|死了|住院了|住着院|还在住院"
                              r"|送医|出院|前几天|前天|上周|上个月|住下了|医生在治|已经在.{0,4}医院")
# Short forms patients use after a negator: 没痰, 不咳, 没烧, 不喘, 没吐, 不拉.
# (没啥吐的了 is "nothing left to bring up": with 什么/啥 the word must not be followed by 的)
SHORT_AFTER_NEGATOR = re.compile(r"(?:没有?|不|无|未)"
                                 r"(?:再|怎么|太|咋|大|很|(?:什么|啥)(?=.(?!的)))?(?P<c>.)")
SHORT_AFFIRMED = re.compile(r"(?P<c>痰)(?=是|很|多|黄|白|绿|稠|粘|黏|带|里|有|咳)"
                            r"|(?:有时候?|经常|常常?|偶尔|老是?|总是?|有点儿?|有些|还|也)"
                            r"(?P<v>[吐咳喘])(?![血痰字出口沫奶嗽])")
SHORT_BEFORE_GONE = re.compile(r"(?P<c>.)(?=(?:已经|都|也)?(?:退了|好了|停了|止住了|消了))")
# 嘴歪倒没歪: the same word denied right after; 看不见那是前年的事: history said after the words
DENIED_REPEAT = re.compile(r"(?:倒|也|都|倒是|还)(?:没有|没|不)(.)[^，,。；;\s]{0,3}?"
                           r"(?:的|啊|呢|哈)?")
# 抽过一回 医生说是热性惊厥: the name a doctor gave an earlier event, at the start of a clause
REPORTED_DIAGNOSIS = re.compile(r"\s*(?:医生|大夫)?(?:说|讲)(?:是|叫)|\s*诊断(?:为|是)")
HISTORY_AFTER = re.compile(r"[^，,。\s]{0,4}\s*[，,]?\s*(?:(?:那|这)(?:都|已经)?是.{0,8}的事"
                           r"|后来(?:就)?(?:没|没有)(?:再)?(?:犯|发作|抽|有)过?)")

KIN_NAMES = {
    "爸爸": "父亲", "老爸": "父亲", "父亲": "父亲", "爸": "父亲", "俺爹": "父亲", "老爹": "父亲",
    "爹": "父亲", "妈妈": "母亲", "老妈": "母亲", "母亲": "母亲", "妈": "母亲", "俺娘": "母亲",
    "老娘": "母亲", "娘": "母亲", "爷爷": "祖父", "祖父": "祖父", "外公": "外祖父",
    "姥爷": "外祖父", "奶奶": "祖母", "祖母": "祖母", "外婆": "外祖母", "姥姥": "外祖母",
    "哥哥": "哥哥", "哥": "哥哥", "弟弟": "弟弟", "弟": "弟弟", "姐姐": "姐姐", "姐": "姐姐",
    "妹妹": "妹妹", "妹": "妹妹", "兄弟姐妹": "兄弟姐妹", "兄弟": "兄弟", "姐妹": "姐妹",
    "姊妹": "姐妹",
    "舅舅": "舅舅", "舅": "舅舅", "叔叔": "叔叔", "叔": "叔叔", "伯伯": "伯父", "伯": "伯父",
    "姑姑": "姑姑", "姑": "姑姑", "姨妈": "姨妈", "阿姨": "姨妈", "姨": "姨妈",
    "儿子": "儿子", "女儿": "女儿", "闺女": "女儿", "孩子": "子女", "子女": "子女",
    "父母": "父亲、母亲", "爸妈": "父亲、母亲", "爹妈": "父亲、母亲",
}


def hypothetical(text: str, clause: tuple[int, int], start: int, end: int) -> bool:
    """A question or worry about the thing (会不会是… / 怕… / …是什么意思 / 怎么预防…); what
    follows is read to the end of the sentence (热性惊厥 这是什么意思)."""
    lo, _hi = clause
    return told_as_story(text) or bool(HYPOTHETICAL_BEFORE.search(text, lo, start)
                or HYPOTHETICAL_AFTER.match(text[end:sentence_of(text, start)[1]]))


@lru_cache(maxsize=1024)
def told_as_story(text: str) -> bool:
    """The whole message is a quiz or a story (read once per message, not per mention)."""
    return bool(STORY_OR_QUIZ.search(text) and STORY_CASE.search(text)) \
        and not SOMEONE_REAL.search(text) and not REAL_NOW.search(text)


def seen_to(text: str, end: int) -> bool:
    """Said, after the words, to have been treated and discharged, with nothing in the message
    sudden, still going on or asked."""
    return bool(SEEN_TO.search(text, end)) and not RENEWED.search(text)


def about_someone_else(text: str, clause: tuple[int, int], start: int) -> bool:
    # read to the end of the text so 邻居家的|狗 sees its dog
    return any(m.start() < start for m in OTHER_PEOPLE.finditer(text, clause[0]))


def resolved(text: str, end: int, hi: int, negated_before: str) -> bool:
    """Was there and is gone: 烧退了 / 疹子消了, or a negated term followed by 了 (不咳了) or
    preceded by 不再/没再."""
    after = text[end:hi]
    if RESOLVED_AFTER.match(after) or GONE_NEXT.match(text, hi):
        return True
    if negated_before and text[end - 1] == "了":  # the term itself ends in 了: 不|咳了
        return True
    return bool(negated_before) and (bool(NEGATED_THEN_GONE.match(after))
                                     or bool(NO_LONGER.search(negated_before)))


def allergy_reaction(text: str, clauses: list[tuple[int, int]], allergen_ends: list[int],
                     start: int) -> bool:
    """A symptom said right after an allergen that the patient is allergic to, in its clause or
    the next two (青霉素过敏 打针后起了一身疹子), and not said to be happening now."""
    index = next(i for i, (lo, hi) in enumerate(clauses) if lo <= start < hi or hi > start)
    for end in allergen_ends:
        at = next(i for i, (lo, hi) in enumerate(clauses) if end <= hi)
        if end <= start and index - at in (0, 1, 2):  # 花生过敏 吃了嘴唇肿 还喘
            lo, hi = clauses[at][0], clauses[index][1]
            return not NOW_WORDS.search(text, lo, hi)
    return False


def said_of_now(text: str, clause: tuple[int, int], start: int, end: int,
                wishes: bool = False) -> bool:
    """Whether a phrase at start..end is said of the patient, now: not history, not a question
    or worry, not about someone else. With `wishes`, a conditional (要是我死了就好了) counts: that
    is how a death wish is said."""
    lo, hi = clause
    cues = list(HISTORY_CUE.finditer(text, lo, start))
    cue = cues[-1] if cues else None
    if cue is not None and not RECURRING_NOW.search(text, cue.end(), start):
        return False
    if not wishes and (CHRONIC_CUE.search(text, sentence_of(text, start)[0], end)
                       or (CHRONIC_NEAR.search(text, lo, end)
                           and not RECENT_SPELL.search(text, lo, end))):
        return False  # 还是说不利索 / 每次来月经都疼: lasting or recurring, not new
        # (a death wish that keeps coming back, 经常觉得没有我会更好, is still asked about)
    if LABEL_BEFORE.fullmatch(text, lo, start):  # 以前抽过一次 医生说是热性惊厥: its name then
        earlier = list(HISTORY_CUE.finditer(text, sentence_of(text, start)[0], lo))
        if earlier and not NOW_WORDS.search(text, earlier[-1].end(), start):
            return False
    if (PAST_AFTER.match(text, end) and not RECURRING_NOW.search(text, lo, hi)) \
            or seen_to(text, end):
        return False  # 上个月晕倒过一次: it happened before
    if about_someone_else(text, clause, start) and (
            ENDED_FOR_OTHERS.search(text, lo, hi)
            or not (ACUTE_NOW.search(text, lo, hi) or HELP_NOW.search(text))):
        return False  # 邻居前天脑梗住院了 / 村里有人喝假酒: not now; 同事刚晕倒 still counts
    return wishes or not hypothetical(text, clause, start, end)


def span_between(breaks: re.Pattern[str], text: str, start: int, end: int) -> tuple[int, int]:
    """The stretch of text around start..end that no `breaks` match crosses."""
    lo, hi = 0, len(text)
    for m in breaks.finditer(text):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start()
            break
    return lo, hi


def sentence_of(text: str, pos: int) -> tuple[int, int]:
    return span_between(SENTENCE, text, pos, pos)


def short_forms(text: str, covered: bytearray, table: dict[str, str]
                ) -> list[tuple[int, int, str, str]]:
    """Single characters that name a symptom only beside a negator or a frequency (没痰 →
    sputum, 有时候吐 → vomiting)."""
    found = []
    for m in [*SHORT_AFTER_NEGATOR.finditer(text), *SHORT_BEFORE_GONE.finditer(text),
              *SHORT_AFFIRMED.finditer(text)]:
        group = "v" if m.groupdict().get("v") else "c"
        pos = m.start(group)
        concept = table.get(m[group])
        if concept and not covered[pos]:
            found.append((pos, pos + 1, "symptoms", concept))
    return found
