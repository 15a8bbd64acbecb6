"""The rules read what patients really type: no punctuation, typos, dialect, relatives speaking.

Each table row is one utterance and what a clinician would write down from it. The lexicon here
is small and built in the test, so these cases do not move when the shipped lexicon grows.
"""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conversations.knowledge import Concept, Lexicon
from conversations.nlu import normalise, parse_chinese_number, understand

TERMS = {
    "symptoms": {
        "headache": "头痛 头疼 脑壳疼 脑袋疼 头胀痛 头腾", "nausea": "恶心 想吐 反胃",
        "vomiting": "呕吐 吐了", "fever": "发烧 发热 高烧 低烧", "cough": "咳嗽 干咳 咳痰",
        "diarrhea": "拉肚子 腹泻 拉稀", "dizziness": "头晕 头昏 晕乎乎",
        "chest_pain": "胸痛 胸口疼 胸口痛", "abdominal_pain": "肚子疼 肚子痛 腹痛 胃疼",
        "rash": "起疹子 皮疹 疹子", "fatigue": "乏力 没劲 没力气 四肢无力",
        "insomnia": "睡不着 失眠", "dyspnea": "喘不上气 气短 呼吸困难"},
    "body_sites": {"head": "头 脑袋", "abdomen": "肚子 腹部", "chest": "胸口 胸"},
    "characters": {"dull": "隐痛 隐隐作痛", "stabbing": "刺痛 针扎", "colic": "绞痛"},
    "chronic_diseases": {"hypertension": "高血压 血压高", "diabetes": "糖尿病 血糖高",
                         "chd": "冠心病", "breast_cancer": "乳腺癌", "stroke": "脑梗 中风"},
    "operations": {"appendectomy": "阑尾手术 阑尾切除 割阑尾", "c_section": "剖腹产 剖宫产",
                   "stent": "心脏支架 支架"},
    "infectious_diseases": {"tb": "结核 肺结核 痨病", "hbv": "乙肝 乙型肝炎"},
    "drugs": {"penicillin": "青霉素 盘尼西林", "cephalosporin": "头孢 头孢类",
              "aspirin": "阿司匹林", "ibuprofen": "布洛芬"},
    "foods": {"seafood": "海鲜", "shrimp": "虾 虾子", "peanut": "花生", "mango": "芒果"},
}


def make_lexicon(terms: dict[str, dict[str, str]]) -> Lexicon:
    return Lexicon("test", {kind: {cid: Concept(kind, cid, words.split()[0], tuple(words.split()))
                                   for cid, words in concepts.items()}
                            for kind, concepts in terms.items()})


LEX = make_lexicon(TERMS)
EXAMPLE = "头疼三天了，有点恶心，以前有高血压，青霉素过敏"


def flags(m) -> str:
    return "".join(c for c, on in zip("NUAHF", (m.negated, m.uncertain, m.allergy, m.history,
                                                 m.family), strict=True) if on)


@pytest.mark.parametrize(("text", "expected"), [
    (EXAMPLE, "headache nausea hypertension:H penicillin:A"),
    ("头疼三天了有点恶心以前有高血压青霉素过敏", "headache nausea hypertension:H penicillin:A"),
    ("没有发烧、咳嗽", "fever:N cough:N"),
    ("没发烧，但是咳嗽", "fever:N cough"),
    ("没有发烧但是有点咳嗽", "fever:N cough"),
    ("头疼没发烧也不咳嗽", "headache fever:N cough:N"),
    ("没发烧有点恶心", "fever:N nausea"),
    ("没有发烧，倒是有点拉肚子", "fever:N diarrhea"),
    ("不是没有发烧", "fever"),
    ("不知道有没有发烧", "fever:U"),
    ("好像有点发烧", "fever:U"),
    ("好像没有发烧", "fever:NU"),
    ("发烧咳嗽都没有", "fever:N cough:N"),
    ("发烧倒是没有", "fever:N"),
    ("否认高血压、糖尿病病史", "hypertension:NH diabetes:NH"),
    ("从来没有头疼过", "headache:N"),
    ("并没有发烧", "fever:N"), ("并不咳嗽", "cough:N"), ("也没咳嗽", "cough:N"),
    ("不会头晕", "dizziness:N"), ("疼不疼不好说 有没有发烧也不知道", "fever:U"),
    ("一点也不头疼", "headache:N"),
    ("无发热 未呕吐", "fever:N vomiting:N"),
    ("四肢无力一个多星期", "fatigue"),
    ("睡不着觉半个月了", "insomnia"),
    ("不停咳嗽", "cough"),
    ("肚子不舒服头晕", "abdomen dizziness"),
    ("不是头疼是头晕", "headache:N dizziness"),
    ("对海鲜过敏", "seafood:A"),
    ("吃虾会起疹子", "shrimp:A rash"),
    ("青霉素皮试阳性", "penicillin:A"),
    ("青霉素不过敏，头孢过敏", "penicillin:NA cephalosporin:A"),
    ("青霉素不过敏但是头孢过敏", "penicillin:NA cephalosporin:A"),
    ("吃了头孢没有过敏", "cephalosporin:NA"),
    ("我爸有高血压", "hypertension:F"),
    ("母亲得过乳腺癌", "breast_cancer:F"),
    ("家里人有糖尿病", "diabetes:F"),
    ("家族史：父亲高血压，母亲糖尿病", "hypertension:F diabetes:F"),
    ("我爸没有糖尿病", "diabetes:NF"),
    ("我爸有高血压，我头晕三天了", "hypertension:F dizziness"),
    ("孩子发烧三天，孩子爷爷有高血压", "fever hypertension:F"),
    ("我妈头晕三天了，她有高血压", "dizziness hypertension:H"),
    ("我妈有高血压，头晕三天了", "hypertension:H dizziness"),
    ("俺爹头晕好几年了", "dizziness"),
    ("有糖尿病十年了", "diabetes:H"),
    ("做过阑尾手术", "appendectomy:H"),
    ("得过结核", "tb:H"),
    ("担心是不是结核", "tb:U"),
    ("我妈要做阑尾手术", "appendectomy"),
    ("头疼三天了，以前也头疼过好几年", "headache headache:H"),
    ("頭痛三天，發燒", "headache fever"),
    ("脑壳疼好几天了还有点想吐", "headache nausea"),
    ("头腾", "headache"),
])
def test_mentions_and_their_context(text, expected):
    got = " ".join(m.concept + (f":{flags(m)}" if flags(m) else "")
                   for m in understand(text, LEX).mentions)
    assert got == expected


@pytest.mark.parametrize(("text", "days", "approximate"), [
    ("三天", 3, False), ("3天", 3, False), ("两三天", 2.5, True), ("三四个月", 105, True),
    ("十来天", 10, True), ("一个多星期", 8.4, True), ("一周", 7, False), ("半个月", 15, False),
    ("大半年", 219, True), ("一年多", 438, True), ("好几年", 1460, True), ("几天了", 3, True),
    ("昨天开始的", 1, True), ("昨晚开始肚子疼", 0.5, True), ("昨天晚上开始发烧", 0.5, True),
    ("今天早上起来头晕", 0.25, True), ("前天开始拉肚子", 2, True), ("上周开始咳嗽", 7, True),
    ("刚刚开始胸口疼", 1 / 24, True), ("3个小时了胸口疼", 0.125, False),
    ("半小时前开始喘不上气", 1 / 48, False), ("头晕十几年了", 15 * 365, True),
    ("头疼十天半个月了", 12.5, True), ("头痛3-5天", 4, True), ("头疼快一个月了", 30, True),
    ("我妈头晕三天了", 3, False), ("孩子三个月大，发烧两天了", 2, False),
    ("抽烟二十年头疼三天", 3, False),
    ("高血压十年了，这次头疼三天", 3, False), ("昨天开始发烧，头疼三天了", 3, False),
    ("不是三天是五天", 5, False), ("头疼，３天了", 3, False),
    ("从过年开始就头晕", None, None), ("抽烟二十年", None, None),
    ("有糖尿病十年了", None, None), ("十年前做过阑尾手术", None, None),
    ("一天拉五六次", None, None), ("三月份开始头疼", None, None),
    ("怀孕三个月了，肚子疼", None, None), ("今天来看病", None, None),
])
def test_duration_belongs_to_the_complaint(text, days, approximate):
    duration = understand(text, LEX).duration
    if days is None:
        assert duration is None
    else:
        assert duration is not None
        assert duration.days == pytest.approx(days, rel=0.01)
        assert duration.approximate is approximate
        assert duration.text in text


@pytest.mark.parametrize(("text", "score"), [
    ("疼得有7分", 7), ("八分", 8), ("七八分吧", 7), ("疼到十分", 10), ("满分10分我打8分", 8),
    ("有点疼", None), ("轻微", None), ("很疼", None), ("疼得受不了", None), ("有点发烧", None),
    ("不疼了", None), ("头疼", None),
])
def test_severity_is_only_a_score_the_patient_gave(text, score):
    assert understand(text, LEX).severity == score


@pytest.mark.parametrize(("text", "words"), [
    ("疼得受不了", "受不了"), ("剧痛", "剧痛"), ("疼得厉害", "厉害"),
    ("一辈子最厉害的一次", "厉害"),
    ("有点疼", None), ("有点发烧", None), ("疼得有7分", None),
])
def test_marked_intensity_is_kept_as_the_patients_words(text, words):
    assert understand(text, LEX).intensity == words


@pytest.mark.parametrize(("text", "celsius"), [
    ("发烧38度5", 38.5), ("38.5度", 38.5), ("三十九度", 39.0), ("烧到39", 39.0),
    ("体温37度8", 37.8), ("三十八度五", 38.5), ("最高39度2，现在38度", 39.2), ("38℃", 38.0),
    ("刚才说错了，烧到39度5", 39.5), ("外面30度", None), ("发烧三天", None),
])
def test_temperature(text, celsius):
    assert understand(text, LEX).temperature == celsius


@pytest.mark.parametrize(("text", "times"), [
    ("一天拉五六次", 5), ("每天都要拉十几次", 11), ("一天好几次", 3), ("一天三次", 3),
    ("一晚上起夜三四次", 3), ("一天吃三次药", None), ("拉肚子", None),
])
def test_times_per_day_is_the_lower_bound(text, times):
    assert understand(text, LEX).times_per_day == times


@pytest.mark.parametrize(("text", "habits"), [
    ("抽烟二十年了，一天一包", {"smoking": "吸烟20年，每天1包"}),
    ("吸烟史30年，每日20支", {"smoking": "吸烟30年，每天20支"}),
    ("不抽烟", {"smoking": "不吸烟"}),
    ("不抽烟不喝酒", {"smoking": "不吸烟", "alcohol": "不饮酒"}),
    ("烟酒都不沾", {"smoking": "不吸烟", "alcohol": "不饮酒"}),
    ("没有抽烟喝酒的习惯", {"smoking": "不吸烟", "alcohol": "不饮酒"}),
    ("以前抽烟，戒了五年了", {"smoking": "已戒烟5年"}),
    ("抽了三十年烟，戒了五年了", {"smoking": "吸烟30年，已戒烟5年"}),
    ("喝了三十年酒，每天半斤白酒", {"alcohol": "饮酒30年，每天白酒半斤"}),
    ("偶尔喝点啤酒", {"alcohol": "偶尔饮酒"}),
    ("滴酒不沾", {"alcohol": "不饮酒"}),
    ("戒酒两年了", {"alcohol": "已戒酒2年"}),
    ("头疼三天了", {}),
])
def test_habits_are_summarised(text, habits):
    assert understand(text, LEX).habits == habits


@pytest.mark.parametrize(("text", "pregnant"), [
    ("怀孕了", True), ("怀孕三个月", True), ("孕12周了肚子疼", True), ("没怀孕", False),
    ("我没有怀孕", False), ("不知道有没有怀孕", None), ("可能怀孕了", None),
    ("怀过两次孕", None), ("头疼", None),
])
def test_pregnancy(text, pregnant):
    assert understand(text, LEX).pregnant is pregnant


INTENTS = ("uncertain", "skip", "back", "correction", "deny", "affirm", "no_known_allergy")


@pytest.mark.parametrize(("text", "expected"), [
    ("没有", "deny"), ("都没有", "deny"), ("无", "deny"), ("不是", "deny"), ("否", "deny"),
    ("没", "deny"), ("没呢", "deny"), ("一个都没有", "deny"), ("嗯，没有啊", "deny"),
    ("木有", "deny"), ("有", "affirm"), ("是", "affirm"), ("是的", "affirm"), ("对", "affirm"),
    ("嗯", "affirm"), ("有的", "affirm"), ("对对对", "affirm"), ("不知道", "uncertain"),
    ("记不清了", "uncertain"), ("说不清", "uncertain"), ("不清楚", "uncertain"),
    ("忘了", "uncertain"), ("俺也说不上来", "uncertain"), ("跳过", "skip"), ("不想说", "skip"),
    ("下一个", "skip"), ("下一题", "skip"), ("不回答", "skip"), ("返回", "back"),
    ("上一题", "back"), ("上一步", "back"), ("回到上一个问题", "back"),
    ("刚才那个问错了我要改", "back"), ("上一个", "back"), ("说错了", "correction"),
    ("不对", "correction deny"), ("改成五天", "correction"), ("没错", "affirm"),
    ("不错了", ""), ("没有过敏", "no_known_allergy"),
    ("无药物过敏", "no_known_allergy"), ("不过敏", "no_known_allergy"),
    ("对什么都不过敏", "no_known_allergy"), ("过敏史无", "no_known_allergy"),
    ("青霉素不过敏", ""), ("没有药物过敏，对海鲜过敏", ""), ("没有发烧", ""),
    ("不知道有没有发烧", ""), ("头疼三天了", ""),
])
def test_intents(text, expected):
    u = understand(text, LEX)
    assert {name for name in INTENTS if getattr(u, name)} == set(expected.split())


@pytest.mark.parametrize(("text", "days", "severity"), [
    ("不对，是五天", 5, None), ("不是三天是五天", 5, None), ("不对，应该是8分", None, 8),
])
def test_corrections_carry_the_new_value(text, days, severity):
    u = understand(text, LEX)
    assert u.correction and not u.back and not u.deny
    assert (u.duration.days if u.duration else None) == days
    assert u.severity == severity


def test_the_example_sentence_fills_every_slot_it_names():
    u = understand(EXAMPLE, LEX)
    assert [(m.kind, m.concept) for m in u.mentions] == [
        ("symptoms", "headache"), ("symptoms", "nausea"), ("chronic_diseases", "hypertension"),
        ("drugs", "penicillin")]
    assert u.duration is not None and u.duration.days == 3 and u.duration.text == "三天"
    assert not any(m.negated or m.family for m in u.mentions)
    assert not (u.deny or u.affirm or u.uncertain or u.no_known_allergy)


@pytest.mark.parametrize(("text", "expected"), [
    ("三", 3), ("十五", 15), ("二十", 20), ("一百二", 120), ("两", 2), ("半", 0.5), ("3", 3),
    ("3.5", 3.5), ("一个半", 1.5), ("两三", 2.5), ("一百零五", 105), ("两千", 2000),
    ("三十八点五", 38.5), ("几", None), ("十几", None), ("", None), ("头疼", None),
])
def test_parse_chinese_number(text, expected):
    assert parse_chinese_number(text) == expected


DIGITS = "零一二三四五六七八九"


def chinese(n: int, liang: bool = False) -> str:
    """The standard reading of 1..9999: 十五, 一百零一, 一千零一十, 两千三百 (liang=True)."""
    if n < 20:
        return DIGITS[n] if n < 10 else "十" + (DIGITS[n % 10] if n % 10 else "")
    out, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            word = "两" if liang and digit == 2 and value >= 100 else DIGITS[digit]
            out, gap = out + ("零" if gap else "") + word + unit, False
        elif out:
            gap = True
    return out


@settings(max_examples=500)
@given(st.integers(min_value=1, max_value=9999), st.booleans())
@example(101, False)
@example(1010, False)
@example(2002, True)
@example(9999, False)
def test_every_chinese_reading_parses_back(n, liang):
    assert parse_chinese_number(chinese(n, liang)) == n
    assert parse_chinese_number(str(n)) == n


PIECES = "头疼发烧没有不是过敏我妈爸三天两一十几度分次烟酒戒怀孕，。、 　Ａ頭"


@settings(max_examples=300)
@given(st.text(alphabet=PIECES, max_size=40))
def test_any_text_is_read_without_error_and_offsets_hold(text):
    u = understand(text, LEX)
    for m in u.mentions:
        assert normalise(m.text) == u.text[m.start:m.end]
    assert u.duration is None or u.duration.days > 0


@pytest.mark.parametrize(("text", "expected"), [
    ("頭痛，發燒ＡＢＣ　　３８度 ", "头痛,发烧abc 38度"), ("  過敏  ", "过敏"),
    ("嘔吐、腹瀉、咳嗽", "呕吐、腹泻、咳嗽"), ("HeLLo\t\n头疼", "hello 头疼"),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_mentions_quote_the_patient_and_index_the_normalised_text():
    u = understand("　我　　頭痛三天", LEX)
    (m,) = u.mentions
    assert m.text == "頭痛" and u.text[m.start:m.end] == "头痛" and u.text == "我 头痛三天"
    assert u.duration is not None and u.duration.text == "三天"


def test_each_lexicon_gets_its_own_matcher():
    other = make_lexicon({"symptoms": {"migraine": "头疼"}})
    assert [m.concept for m in understand("头疼", other).mentions] == ["migraine"]
    assert [m.concept for m in understand("头疼", LEX).mentions] == ["headache"]
    assert understand(EXAMPLE, LEX) == understand(EXAMPLE, LEX)


def test_micro_benchmark_prints_timing():
    """Prints p50/p95 with a lexicon of realistic size (1,500+ terms); asserts no timing."""
    rng = random.Random(7)
    terms = {kind: dict(concepts) for kind, concepts in TERMS.items()}
    alphabet = "头胸腹背腰腿手脚眼耳鼻喉咳喘吐泻烧热晕麻痒肿胀酸闷"
    for i in range(150):
        terms["symptoms"][f"s{i}"] = " ".join(
            "".join(rng.choices(alphabet, k=3)) + f"{i}{j}" for j in range(10))
    lexicon = make_lexicon(terms)
    sentences = [EXAMPLE, "我妈头晕三天了，她有高血压，家里人有糖尿病，不抽烟不喝酒",
                 "孩子发烧两三天了，最高39度2，一天拉五六次，没有咳嗽也不吐", "没有", "不知道",
                 "肚子疼得受不了从昨天晚上开始的吐了好几次没有发烧但是有点头晕以前做过阑尾手术"]
    timings = []
    for _ in range(50):
        for sentence in sentences:
            start = time.perf_counter()
            understand(sentence, lexicon)
            timings.append(time.perf_counter() - start)
    timings.sort()
    print(f"understand: p50 {timings[len(timings) // 2] * 1e3:.3f} ms, "
          f"p95 {timings[int(len(timings) * 0.95)] * 1e3:.3f} ms over {len(timings)} calls")
    assert understand(EXAMPLE, lexicon).duration == understand(EXAMPLE, LEX).duration
