/**
 * The red-flag screen: full-screen red, the call button first and largest, the assistant's
 * advice in plain words. It draws at once from what the chat handed over and never waits on
 * the network; a cold-started page fetches the advice but shows the call button meanwhile.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const handoff = require('../../../utils/handoff')
const conversations = require('../../services/conversations')
const chat = require('../../services/chat')

const DEFAULT_ADVICE = '您说的情况可能很危险。请马上拨打120，或立即去最近医院的急诊科。不要自己开车，身边最好有人陪着。'

Component({
  behaviors: [pageBehavior],
  data: { name: '', advice: DEFAULT_ADVICE, wordsText: '', numbers: ['120'] },
  methods: {
    onLoad(query = {}) {
      platform.setNavigationColor('#b3261e')
      const parcel = handoff.take('redFlag')
      if (parcel && parcel.redFlag) {
        this.draw(parcel.redFlag)
      } else if (query.conversation_id) {
        conversations.get(query.conversation_id)
          .then((c) => { if (c.last_turn && c.last_turn.red_flag) this.draw(c.last_turn.red_flag) })
          .catch(() => null) // the default advice and the call button are already on screen
      }
    },
    draw(redFlag) {
      this.setData({
        name: redFlag.name,
        advice: redFlag.advice || DEFAULT_ADVICE,
        wordsText: (redFlag.words || []).join('、'),
        numbers: chat.phoneNumbers(redFlag.advice),
      })
    },
    call(event) {
      platform.makePhoneCall(event.currentTarget.dataset.number)
    },
    back() {
      platform.navigateBack()
    },
  },
})
