/**
 * 随访问卷: between visits the resident answers the follow-up form's own questions (symptoms,
 * medicines, side effects, lifestyle). A dangerous answer turns the page into the red 120
 * screen; otherwise it says the family doctor will look at it before it counts.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const questionnaire = require('../../services/questionnaire')

Component({
  behaviors: [pageBehavior],
  data: {
    loading: true, error: '', patientId: '', patientName: '', questions: [], readings: [],
    formError: '', saving: false, done: null, urgent: null,
  },
  methods: {
    onLoad(query) {
      this.setData({ patientId: (query && query.patient_id) || '', patientName: query && query.name ? decodeURIComponent(query.name) : '' })
      this.load()
    },
    async load() {
      try {
        const found = await questionnaire.form(this.data.patientId)
        this.setData({
          loading: false, error: '', questions: found.questions.map(questionnaire.view),
          readings: Object.keys(questionnaire.READINGS).filter((code) => found.readings_needed.includes(code))
            .map((code) => ({ code, value: '', ...questionnaire.READINGS[code] })),
        })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    toggle(event) {
      const { q, o } = event.currentTarget.dataset
      const question = this.data.questions[q]
      const single = question.kind === 'choice'
      const options = question.options.map((option, i) => ({
        ...option, checked: i === Number(o) ? !option.checked : (single ? false : option.checked),
      }))
      this.setData({ [`questions[${q}].options`]: options, formError: '' })
    },
    onInput(event) {
      this.setData({ [`questions[${event.currentTarget.dataset.q}].value`]: event.detail.value, formError: '' })
    },
    onReading(event) {
      this.setData({ [`readings[${event.currentTarget.dataset.r}].value`]: event.detail.value, formError: '' })
    },
    async submit() {
      if (this.data.saving) return
      const readings = {}
      for (const r of this.data.readings) {
        if (String(r.value).trim() !== '') readings[r.code] = Number(r.value)
      }
      this.setData({ saving: true, formError: '' })
      try {
        const result = await questionnaire.answer({
          patient_id: this.data.patientId, answers: questionnaire.answers(this.data.questions), readings,
        })
        if (result.questionnaire.urgent) {
          platform.vibrate()
          this.setData({ urgent: result, saving: false })
        } else {
          this.setData({ done: result, saving: false })
        }
      } catch (err) {
        const fieldErrors = errors.fieldMessages(err)
        this.setData({
          saving: false, formError: errors.messageOf(err),
          questions: this.data.questions.map((q) => ({ ...q, error: fieldErrors[`answers.${q.id}`] || '' })),
        })
      }
    },
    call120() {
      platform.makePhoneCall('120')
    },
    closeUrgent() {
      this.setData({ urgent: null, done: this.data.urgent })
    },
  },
})
