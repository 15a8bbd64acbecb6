"""The cue words the NLU reads around a term: negators and their look-alikes, hedges, allergy and
history words, relatives and other subjects, topics a number may be said of. Data-like constants,
kept apart so `nlu.py` reads as the procedure."""

from __future__ import annotations

import re

# CJK is two columns wide, hence the short lines.
CLAUSE = re.compile(r"[，,。；;！!？?\n]+|\s+|(?<![0-9])\.(?![0-9])")
CONTRAST = re.compile(r"但是|但|不过(?!敏)|可是|然而|而是")
POLARITY = re.compile(
    r"(?P<dbl>并?不是没有?|不是不|没有不|不会不|不可能没有?)"
    r"|(?P<neg>一点儿?[也都](?:不|没有?)|从来都?(?:没有?|不)|从(?:没有?|不)"
    r"|并(?:没有?|不)|[也都还又](?:没有?|不)|否认|没有?人(?:有|得过?)?|没有|没得"
    r"|木有|没|无|未|不会|不是|不)"
    r"|(?P<brk>有点|有些|有一点|一直|总是|老是|经常|还有|而且|然后|另外|现在|目前"
    r"|倒是|反而|只是|就是|而是|(?<![没无])有|(?<![不就还可像总老倒只于但凡真也都要或])是)")
NOT_NEGATION = re.compile(
    r"知道|清楚|确定|太|很|记得|晓得|想(?!过)|对|好说|一定|行|然|用|要|同|止|少|仅|但|管"
    r"|舒服|好受|得劲|正常|规律|规则|消化|停|断|退|见好|能|敢|怎么|那么|多久|几天"
    r"|多长|事|关系|办法|注意|留意|劲|力|精神|胃口|食欲|味|感觉|量|测|好|完|所谓|论"
    r"|聊|法|来")
VERB = set("睡吃喝喘站走看听憋忍受止动起咽尿拉停坐躺抬举伸弯咬闻记说搞想用撑咳吐透")
COMPLEMENT = set("着下上住了来去见清稳出动起过好进开完定")
POST_SKIP = re.compile(
    r"(?:[和跟与及、也都还或 ]|或者|以及|什么的|之类的?|这些|那些|啥的|倒是|倒|是)*")
POST_NEG = re.compile(  # 发烧倒是没有 / 尿蛋白阴性: said after the term, it denies it
    r"(?:的?(?:念头|想法|打算|情况|症状|毛病|感觉))?"  # 寻短见的念头没有
    r"(?:[都也还是]|倒是?|从来|一点[也都])*(?:没有|没得|木有|没|无|不)[过的了呢啊呀吧哦]*"
    r"|(?:是|为|呈|结果)?(?:阴性|未见异常)[的了]*")
UNSURE = re.compile(r"好像|可能|似乎|也许|不太确定|不确定|不知道|不清楚|说不清|记不清"
                     r"|不记得|说不定|估计|怀疑|貌似|不敢肯定|不一定|像是|有没有|是不是|会不会")
UNSURE_END = re.compile(r"一直|还有|而且|然后|另外|现在|目前")
ALLERGY = re.compile(r"过敏|皮试|起了?红?疹|出了?疹|起风团|起红?疙瘩|起包|起红点"
                      r"|浑身痒|身上痒|就痒|发痒|喉咙肿|嘴[巴唇]?肿|休克|不能吃|吃不得|不能用"
                      r"|用不了")
NO_ALLERGY = re.compile(
    r"(?:(?<!有)没有?|无|不(?![知清确记晓])|未|否认|从不|从来没有?|并不|也不|都不)(?:什么|啥|任何)?"
    r"[^，,。；;]{0,6}?过敏|过敏史?:?(?:无|没有|否认|没)|皮试(?:是)?阴性"
    r"|皮试(?:没事|正常|没问题|通过)")
# 去年开始 / 三年前开始: since then, still going, so not history
PAST = re.compile(r"以前|以往|过去|曾经|从前|小时候|年轻时|年轻的时候|早年|老毛病|病史"
                   r"|(?:[0-9几一二两三四五六七八九十]+年前|去年|前年)(?!就?开始)"
                   r"|得过|患过|有过|做过|犯过|那年|当年"
                   r"|[0-9几一二两三四五六七八九十]+岁多?的时候|那会儿|那时候"
                   r"|(?P<now>现在|目前|最近|这次|这回|这几天|这两天|今天|昨天|近来)")
NOW = re.compile(r"这次|这回|是不是|会不会|怀疑|担心|怕是|准备|打算|要做|想做|需要做|预约")
KIN = {word: group for group, words in {
    "f": "爸爸 老爸 父亲 爸 俺爹 老爹 爹", "m": "妈妈 老妈 母亲 妈 俺娘 老娘 娘",
    "gf": "爷爷 外公 姥爷 祖父", "gm": "奶奶 外婆 姥姥 祖母", "b": "哥哥 哥 弟弟 弟",
    "s": "姐姐 姐 妹妹 妹", "sib": "兄弟姐妹 兄弟 姐妹 姊妹", "u": "舅舅 叔叔 伯伯 舅 叔 伯",
    "a": "姑姑 姨妈 阿姨 姑 姨", "c": "儿子 女儿 孩子 子女 闺女",
    "fam": "家里人 家人 家族 家里 亲戚 父母 爸妈 爹妈 长辈 我们家 我家 俺家",
    "": "大姨妈 姑娘 在家里 回家里 生孩子 生完孩子 生小孩 生完小孩 带孩子 抱孩子 怀孩子",  # not
    # relatives: menstruation, a girl, a place, having or minding a child
}.items() for word in words.split()}
SUBJECT = re.compile("|".join(sorted(KIN, key=len, reverse=True))
                      + "|(?P<self>(?:我|俺)(?![们家妈爸爹娘爷奶外姥哥姐弟妹舅叔伯姑姨儿女孩"
                        "父母闺]|老[伴公婆妈爸爹娘])|本人|自己)")
TOPIC = re.compile(r"(?P<smoke>抽烟|吸烟|烟龄|烟(?!花))|(?P<alcohol>喝酒|饮酒|酒(?!精))"
                    r"|(?P<quit>戒[烟酒]?)|(?P<treat>吃药|用药|服药|打针|输液|挂水|吊水|吊针"
                    r"|住院|药)|(?P<preg>怀孕|孕|怀上)|(?P<hist>手术|开刀|得过|患过|做过)")
ONSET = re.compile(r"[^，,。；;\s]{0,4}?(?:开始|起的|以来|得的|犯的|出现)")  # 前天开始疼的
STARTED = re.compile(r"的?(?:开始|起|以来|到现在|就|一直|突然)")
KIND_TOPIC = {"chronic_diseases": "hist", "operations": "hist", "infectious_diseases": "hist",
               "diseases": "hist",
               "drugs": "drug", "foods": "drug",
               "other_allergens": "drug"}  # symptoms, body sites, characters: "symptom"
HISTORY_KINDS = ("chronic_diseases", "operations", "infectious_diseases")
