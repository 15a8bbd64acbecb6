"""Where a feeling is: a body site with the pain, swelling, lump or foreign body said after it
(胸口也不疼, 乳房外上边有个硬疙瘩, 耳朵进了虫子), functions said to be worse or fine (闻味儿差点,
大小便没问题), and feelings said on their own (不肿, 又红又烫) or one after another
(肚子不胀也不疼), placed at the site named before them. Read on the normalised text; the NLU
decides negation and time (`nlu_context`)."""

from __future__ import annotations

import re

from conversations.knowledge import Lexicon

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
