"""What a whole reply means as an answer: yes, no, don't know, skip, go back, a correction, a
greeting or a question of the patient's own. Read on the reply with punctuation and filler
removed, so 嗯，没有啊 is a plain no and 好的谢谢 is no answer at all."""

from __future__ import annotations

import re

FILL = ("嗯|恩|啊|呀|哦|噢|呢|的|了|吧|哎|唉|诶|哈|嘛|额|呃|喔|哇|啦|咯|那个|这个|我|俺"
         "|真的|真|确实|也|都|全都|全|啥|什么|一个|一样|任何|从来|并|还|暂时|目前|现在"
         "|好像|实在|具体|反正|可能|就")


def bare(core: str) -> re.Pattern[str]:
    """A whole answer made of these words and filler only (嗯，没有啊 / 一个都没有)."""
    return re.compile(rf"(?:{FILL})*(?:{core})(?:{FILL}|{core})*")


DENY = bare("没有过|没有|没得|木有|没事|没|无|不是|不对|不用|不需要|不会|否|不")
AFFIRM = bare("是的|是滴|是|对的|对头|对|有的|有过|有|嗯嗯|嗯|恩|好的|好|行|可以|没错"
                "|没问题|yes|ok|okay|中|有点|有一点|有些|一点点")
UNKNOWN = bare("不知道|不清楚|记不清楚?|记不得|不记得|说不清楚?|说不上来|说不好|忘了"
                 "|忘记了|忘记|不晓得|不确定|不太确定|不太清楚|不大清楚|不太记得|搞不清楚?"
                 "|不好说|没注意|没留意|没量过?|没测过?|不懂|没数|不知|难说|没印象")
SKIP = re.compile(r"跳过|不想说|不想回答|不回答|不愿意?说|不方便说|下一题|下一个问题|略过"
                   r"|这个不答|不说了|保密|pass|skip")
SKIP_BARE = bare("下一个|下一步|过|算了|换一个")
BACK = re.compile(r"返回|上一题|上一步|上一个问题|上个问题|回到上|退回|回退|后退|前一题"
                   r"|前一个问题|上一道题|\bback\b")  # 手腕上一道一道的口子 is no request
BACK_BARE = bare("上一个|前一个|回去")
PREVIOUS = re.compile(
    r"(?:刚才|刚刚|上一个|前面|上面|之前)(?:那|的问题)[^，,。；;]{0,6}(?:错|改)")
CORRECTION = re.compile(r"不对(?!劲)|(?<![没不])(?:说错|写错|打错|搞错|弄错|填错|选错|错了)"
                         r"|应该是|改成|改为|更正|纠正|我是说|我的意思是"
                         r"|不是[^，,。；;]{1,10}?[，, ]?而?是")
COMPACT = re.compile(r"[\s,，。.;；!！?？~…、:\-]+")


ACKNOWLEDGE = bare("好的|好滴|好|行|可以|知道了|知道|明白了?|收到|谢谢|谢了|你好|您好|在吗|在"
                     "|哈喽|hello|hi|ok|okay|嗯好|嗯嗯好|没问题")
PATIENT_QUESTION = re.compile(
    r"[?？]$|(?:吗|么|呢)[?？]?$|多少钱|多少|怎么|什么时候|几点|哪里|哪儿|在哪|能不能|可不可以"
    r"|要不要|需不需要|挂号|费用|收费|医保|报销|停车|排队|到了|门口|预约|等多久|是什么意思")


def not_an_answer(clause: str) -> bool:  # `clause` is normalised text (nlu.normalise)
    """A greeting, an acknowledgement or a question of the patient's own: never an answer."""
    compact = COMPACT.sub("", clause)
    if not compact or ACKNOWLEDGE.fullmatch(compact):
        return True
    if DENY.fullmatch(compact) or UNKNOWN.fullmatch(compact) or AFFIRM.fullmatch(compact):
        return False  # 没有呢 / 不知道呢 answer the question
    return bool(PATIENT_QUESTION.search(clause.strip()))


