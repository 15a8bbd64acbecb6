/** 接种前健康询问: every question answered 有 or 没有 (a 有 may say more) the day before. */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const vaccination = require('../../services/vaccination')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', questions: [], source: '', saved: null, missing: '' },
  methods: {
    onLoad(query = {}) {
      this.bookingId = query.booking_id
      this.load()
    },
    async load() {
      try {
        const set = await vaccination.healthQuestions()
        const questions = set.questions.map((q) => ({ id: q.id, text: q.text, yes: null, detail: '' }))
        this.setData({ loading: false, error: '', questions, source: set.source })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    answer(event) {
      const { index, yes } = event.currentTarget.dataset
      this.setData({ [`questions[${index}].yes`]: yes === 'yes', missing: '' })
    },
    describe(event) {
      this.setData({ [`questions[${event.currentTarget.dataset.index}].detail`]: event.detail.value })
    },
    async submit() {
      const unanswered = this.data.questions.find((q) => q.yes === null)
      if (unanswered) {
        this.setData({ missing: unanswered.id })
        platform.toast('还有问题没有回答')
        return
      }
      const answers = {}
      this.data.questions.forEach((q) => {
        answers[q.id] = { yes: q.yes, detail: q.yes && q.detail.trim() ? q.detail.trim() : null }
      })
      try {
        const saved = await vaccination.answerScreening(this.bookingId, answers)
        this.setData({ saved: { needsDoctor: saved.needs_doctor, count: saved.items.filter((i) => i.for_doctor).length } })
      } catch (err) {
        this.fail(err)
      }
    },
  },
})
