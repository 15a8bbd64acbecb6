"""What surrounds a mention and changes what it means: time, whose it is, and whether it is said.

A term is only the start. "不咳了" is a cough that was and is no longer; "小时候抽过风" is history;
"惊厥是什么意思" and "怕孩子抽筋" are not statements at all; "我邻居中风了" is not about the
patient; "青霉素过敏，起一身疹子" is an allergy's reaction, not today's rash; "胸口也不疼" is a
denied chest pain though no single term says it. These readers work on the normalised text and
on spans, and are shared by the NLU and the red-flag rules.
"""

from __future__ import annotations

import re

from conversations.knowledge import Lexicon

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
SITE_PAIN = re.compile(
    r"(?P<gap>(?:[也都还又就老总很挺蛮好]|周围|附近|四周|特别|非常|有点儿?|有些|一直|时不时|经常|偶尔|有时候|最近|近来|现在"
    r"|一阵一阵|一阵阵|隐隐约约|隐隐|绞着|揪着|拧着|胀着|坠着|火辣辣的?|针扎似的|刀割似的)*"
    r"(?P<neg>不|没有?|没怎么)?(?:怎么|太|大|咋|很)?)"
    r"(?P<pain>疼|痛(?!快)|酸痛|胀痛|刺痛|隐痛|发麻|麻木|麻|发痒|痒|红肿|肿胀|肿|闷|发闷|花"
    r"|(?:上|里|下面|底下|旁边|前面|后面|一边|这边|那边|左边|右边|边上)?"
    r"(?:长|鼓|起|冒|摸到|摸着|发现|有)了?(?:个|一个|了个|几个)?"
    r"(?:小|硬|大|黄豆大的|花生大的)?(?:包|疙瘩|硬块|肿块|结节|肉球|肉疙瘩|肿物|硬结))")
JOINED_SITES = re.compile(r"\s*(?:和|跟|、|还有|以及|连着)\s*")
NORMAL_AFTER = re.compile(r"[^，,。；;不没]{0,6}?(?:没问题|正常|挺好|都好|还好|清楚|没事|不少"
                          r"|利索|利落|稳当|(?<![不没])稳|不费劲|好(?![像几多些久])|没(?:啥)?毛病|不(?:发)?飘|不歪|不晃|不打晃"
                          r"|挺多|还行|可以|挺准|很准|准时|规律|没(?:怎么|啥)?(?:少|变|减少)"
                          r"|跟(?:以前|平时|平常|原来)(?:差不多|一样))")
# 尿挺多 / 体重没掉 / 能躺平: the subject itself already says it is fine
NORMAL_SAID = re.compile(r"不|没|挺多|不少|还行|正常|能躺|躺得平|有劲|有力|好使|放屁"
                         r"|能吃|吃得[下进香]|香|软|能张|屁(?:也|都|还)?有|有屁|(?<=尿)(?:也|都|还)有")
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


def told_as_story(text: str) -> bool:
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


def site_pains(text: str, hits: list[tuple[int, int, str, str]], covered: bytearray,
               lexicon: Lexicon) -> tuple[list[tuple[int, int, str, str]], set[int]]:
    """A body site followed closely by 疼/痛, 麻, 痒 or 肿 (胸口也不疼, 膝盖有点肿, 腿不麻) is that
    symptom there; the second value holds the starts of those said with a negator between."""
    found, negated = [], set()
    covered = bytearray(covered)  # how it hurts (隐隐痛, 绞着疼) still leaves the pain to the site
    for s, e, kind, _cid in hits:
        if kind == "characters":
            covered[s:e] = bytes(e - s)
    for s, e, kind, site in hits:
        m = SITE_PAIN.match(text, e) if kind == "body_sites" else None
        if m is None or len(m["gap"]) > 6:
            lump = _lump_after(text, e, hits, site, lexicon) if kind == "body_sites" else None
            if lump:
                found.append((s, lump, "symptoms", lexicon.site_lump[site]))
            continue
        feeling = m["pain"]
        lump = len(feeling) > 1 and feeling[-1] in "包瘩块节球物结"
        if any(covered[m.start("pain"):m.end("pain")]) and not lump:
            continue  # a term reads it already; a lump is still the site's (外阴…长了个包)
        symptom = (lexicon.site_lump.get(site) if lump
                   else lexicon.site_swelling.get(site) if feeling in ("肿", "红肿", "肿胀")
                   else lexicon.site_tightness.get(site) if feeling in ("闷", "发闷")
                   else lexicon.site_feelings.get(feeling) or lexicon.site_pain.get(site))
        if symptom:
            found.append((s, m.end(), "symptoms", symptom))
            if m["neg"]:
                negated.add(s)
    return found, negated


# 乳房外上边有个硬疙瘩 / 脖子后面摸到好几个小疙瘩 / 乳头底下鼓起来一块: a lump a few words after
# its site, in the same clause, with no other site or negator between.
LUMP_AFTER_SITE = re.compile(
    r"(?P<gap>[^，,。；;！!？?\s不没无]{0,10}?)"
    r"(?:(?:小|硬|大|圆|肉)*(?:疙瘩|包块|鼓包|肿块|硬块|肉球|肿物|硬结|小球|小圆球)"
    r"|(?:个|一个|了个|几个|些)(?:小|硬|大|肉)*包(?![括装扎子])"
    r"|(?:鼓|肿|凸|突|隆)起(?:来)?了?(?:一|个)?(?:块|个包|坨))")


_RASH_BEFORE = re.compile(r"(?:红|片|层|满|些|串|密密麻麻的?)$")


def _lump_after(text: str, end: int, hits: list[tuple[int, int, str, str]], site: str,
                lexicon: Lexicon) -> int | None:
    """Where the lump said after the site ends, or None."""
    m = LUMP_AFTER_SITE.match(text, end) if site in lexicon.site_lump else None
    if m is None or any(k == "body_sites" and end < hs < m.end() for hs, _e, k, _c in hits):
        return None
    if _RASH_BEFORE.search(m["gap"]):
        return None  # 腰上一片红疙瘩: a rash, not a lump
    return m.end()


def joined_site_pains(text: str, hits: list[tuple[int, int, str, str]], lexicon: Lexicon
                      ) -> list[tuple[int, int, str, str]]:
    """脖子和肩膀疼: a site joined by 和/跟/、 to a pain has that pain too (颈痛 and 肩痛)."""
    pains = set(lexicon.site_pain.values())
    starts = {s: (e, kind, concept) for s, e, kind, concept in hits}
    found = []
    for s, e, kind, site in hits:
        joined = JOINED_SITES.match(text, e) if kind == "body_sites" else None
        follow = starts.get(joined.end()) if joined else None
        own = lexicon.site_pain.get(site)
        if follow and own and (follow[2] in pains or follow[1] == "body_sites") and \
                (follow[1] == "symptoms" or SITE_PAIN.match(text, follow[0])):
            found.append((s, e, "symptoms", own))
    return found


_PAIN_AFTER_SITE = re.compile(
    r"(?:朵|子|部|那|这|边|里|上|下|头|块|儿|的|有点儿?|一直|老是?|总是?|特别|很|好|挺|隐隐的?|也|还"
    r"|又|一阵一阵的?|阵阵|就|都|[前后里外左右两](?:面|边|头)|[刺闷胀隐绞酸])*"
    r"(?P<feels>疼|痛|通红|发红|红|肿)")
_FEELING_OF = {"疼": "pain", "痛": "pain", "通红": "redness", "发红": "redness", "红": "redness",
               "肿": "swelling"}


def site_then_pain(text: str, hits: list[tuple[int, int, str, str]], lexicon: Lexicon
                   ) -> list[tuple[int, int, str, str]]:
    """右耳朵疼 / 下腹隐隐的疼 / 右眼红了 / 左脚踝肿了: a site with its pain, redness or swelling
    said right after is that site's, when no term already reads it (耳朵疼 is a term; 右耳 + 朵疼
    is not)."""
    found = []
    for s, e, kind, site in hits:
        said = _PAIN_AFTER_SITE.match(text, e) if kind == "body_sites" else None
        own = feeling_at(lexicon, _FEELING_OF[said["feels"]], said["feels"], site) \
            if said else None
        if own and said and not any(k == "symptoms" and hs < said.end() and s < he
                                    for hs, he, k, _c in hits):
            found.append((s, said.end(), "symptoms", own))
    return found


def impaired_functions(text: str, lexicon: Lexicon) -> list[tuple[int, int, str, str]]:
    """闻味儿差点 / 听力也差点: each symptom a function said to be worse affirms."""
    return [(m.start(), m.end(), "symptoms", concept)
            for subject, affirmed in lexicon.impaired_function.items()
            for m in re.finditer(subject, text) for concept in affirmed]


def normal_functions(text: str, lexicon: Lexicon) -> list[tuple[int, int, str, str]]:
    """大小便没问题 / 听东西也清楚 / 胎动正常: each symptom the function rules out, as a hit the
    caller marks negated."""
    found = []
    for subject, denied in lexicon.normal_function.items():
        for m in re.finditer(subject, text):
            if NORMAL_SAID.search(m[0]) or NORMAL_AFTER.match(text, m.end()):
                found.extend((m.start(), m.end(), "symptoms", concept) for concept in denied)
    return found


FB_AFTER_SITE = re.compile(
    r"(?:里|里面|里头)?(?:进了|进去了|进去|掉进|钻进|塞了|卡了|卡着|扎了|扎进)")
FB_BEFORE_SITE = re.compile(
    r"(?:塞进?|卡在|卡到|卡住?|掉进|扎进|扎到|进到|吸进|钻进|弄进)(?:了)?(?:他|她|我)?的?$")


def foreign_bodies(text: str, hits: list[tuple[int, int, str, str]], lexicon: Lexicon
                   ) -> list[tuple[int, int, str, str]]:
    """耳朵进了虫子 / 把豆子塞鼻孔里 / 鱼刺卡在嗓子里: a foreign body of that site."""
    found = []
    for s, e, kind, site in hits:
        concept = lexicon.site_foreign_body.get(site) if kind == "body_sites" else None
        before = text[max(0, s - 6):s]
        if concept and (FB_AFTER_SITE.match(text, e) or FB_BEFORE_SITE.search(before)):
            found.append((s, e, "symptoms", concept))
    return found


# -- a feeling said on its own (不肿, 又红又烫, 有点隐隐作痛), of the site said before ----

BARE_FILLER = re.compile(r"也|都|还|就|有点儿?|有些|一点儿?|了|的|啊|呀|哦|起来|当时|现在|今天"
                         r"|那种|又|特别|很|挺|老是?|一直|倒是?|好像|感觉|那块皮肤|那块|那儿|那里|局部"
                         r"|有时候?|偶尔")
BARE_FEELINGS = re.compile(
    r"(?P<neg>不怎么|没怎么|不|没有?)?(?P<feels>(?:隐隐作痛|作痛|通红|发红|发烫|发麻|发紫|青紫"
    r"|出血|见血|流血|带血|见过血|[肿红烫麻痒疼痛血])+)")
FEELING_KIND = {"肿": "swelling", "红": "redness", "发红": "redness", "通红": "redness",
                "烫": "redness", "发烫": "redness", "麻": "feeling", "发麻": "feeling",
                "痒": "feeling",
                "疼": "pain", "痛": "pain", "作痛": "pain", "隐隐作痛": "pain",
                "发紫": "bruise", "青紫": "bruise", "出血": "bleeding", "见血": "bleeding",
                "流血": "bleeding", "带血": "bleeding", "见过血": "bleeding", "血": "bleeding"}
_FEEL_TOKEN = re.compile("|".join(sorted(FEELING_KIND, key=len, reverse=True)))
_CLAUSE_SPAN = re.compile(r"[^，,。；;！!？?\s]+")


def bare_feelings(text: str) -> list[tuple[int, int, str, str, bool]]:
    """Clauses that are only a feeling, maybe denied (不肿, 又红又烫, 有点隐隐作痛): (start, end,
    kind, the word, negated). Whose site it is, the caller decides from what came before."""
    found = []
    for clause in _CLAUSE_SPAN.finditer(text):
        compact = BARE_FILLER.sub("", clause[0])
        m = BARE_FEELINGS.fullmatch(compact) if compact else None
        if m is None:
            continue
        for word in _FEEL_TOKEN.findall(m["feels"]):
            found.append((clause.start(), clause.end(), FEELING_KIND[word], word, bool(m["neg"])))
    return found


# 肚子不胀也不疼 / 胸口也不闷不疼, typed or spoken without a break: each feeling that follows
# another reading straight on is the same site's, with its own negator
CHAINED_FEELING = re.compile(r"(?:也|都|还|又)?(?P<neg>不|没有?)?(?:太|怎么|很)?"
                             r"(?P<feels>[肿红烫麻痒疼痛])(?=$|[\s，,。；;！!？?]|也|都|还|不|没|了|的|啊|呢|就|但|可)")


def chained_feelings(text: str, ends: list[int]) -> list[tuple[int, int, str, str, bool]]:
    """Feelings said right after another reading ends (at `ends`), as `bare_feelings` gives."""
    found = []
    for end in sorted(set(ends)):
        pos = end
        while (m := CHAINED_FEELING.match(text, pos)) and m.end() > pos:
            found.append((m.start(), m.end(), FEELING_KIND[m["feels"]], m["feels"],
                          bool(m["neg"])))
            pos = m.end()
    return found


def feeling_at(lexicon: Lexicon, kind: str, word: str, site: str) -> str | None:
    """The symptom a bare feeling names at a site (肿 at the knee is joint swelling)."""
    return {"swelling": lexicon.site_swelling.get(site),
            "redness": lexicon.site_redness.get(site),
            "feeling": lexicon.site_feelings.get(word),
            "pain": lexicon.site_pain.get(site),
            "bruise": "bruising" if "bruising" in lexicon.concepts.get("symptoms", {}) else None,
            }.get(kind)
