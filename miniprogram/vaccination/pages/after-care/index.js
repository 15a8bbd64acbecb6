/**
 * 接种后随访: a few taps a day after the dose. The answer decides the advice; the most urgent
 * (call 120) comes first with the call button, and the clinic is told by the backend.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const vaccination = require('../../services/vaccination')

const EMERGENCY_NUMBER = '120'

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', questions: [], result: null, missing: '' },
  methods: {
    onLoad(query = {}) {
      this.recordId = query.id || query.record_id
      this.load()
    },
    async load() {
      try {
        const set = await vaccination.afterCareQuestions()
        this.setData({
          loading: false, error: '',
          questions: set.questions.map((q) => ({ ...q, chosen: '' })),
        })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    choose(event) {
      const { index, choice } = event.currentTarget.dataset
      this.setData({ [`questions[${index}].chosen`]: choice, missing: '' })
    },
    async submit() {
      const unanswered = this.data.questions.find((q) => !q.chosen)
      if (unanswered) {
        this.setData({ missing: unanswered.id })
        platform.toast('还有问题没有回答')
        return
      }
      const answers = {}
      this.data.questions.forEach((q) => { answers[q.id] = q.chosen })
      try {
        const result = await vaccination.answerAfterCare(this.recordId, answers)
        const shown = vaccination.level(result.level)
        this.setData({ result: { ...result, title: shown.title, tone: shown.tone, urgent: result.level === 'emergency' } })
        if (result.level === 'emergency') platform.vibrate()
      } catch (err) {
        this.fail(err)
      }
    },
    call120() {
      platform.makePhoneCall(EMERGENCY_NUMBER)
    },
  },
})
