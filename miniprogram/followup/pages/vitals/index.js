/**
 * 血压血糖: a resident (or a family member for them) enters a blood pressure, glucose, weight,
 * temperature or SpO₂ reading; the answer comes back at once. A dangerous value turns the page into the red
 * 120 screen before anything else; a high one says what to do; the list below shows the last
 * month against the resident's own targets. The reading can also be said aloud (按住说出读数,
 * first in 长辈模式): the numbers heard fill the form, "您说的是：…" shows what was heard, and the
 * person checks them before saving.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const profiles = require('../../../services/profiles')
const vitals = require('../../services/vitals')
const speech = require('../../../services/speech')
const voice = require('../../../services/voice')
const spoken = require('../../../utils/spoken-readings')

const EMPTY_FORM = {
  systolic: '', diastolic: '', pulse: '', glucose: '', weight: '', height_cm: '', temperature: '', spo2: '',
}

Component({
  behaviors: [pageBehavior],
  data: {
    loading: true, error: '', notEnrolled: '', people: [], patientId: '', patientName: '', picking: false,
    kind: 'blood_pressure', timings: vitals.TIMINGS, timingIndex: 0, bodyKinds: vitals.BODY_KINDS,
    bodyTabs: Object.keys(vitals.BODY_KINDS).map((code) => ({ code, label: vitals.BODY_KINDS[code].label })),
    symptoms: vitals.SYMPTOMS.map((s) => ({ ...s, checked: false })),
    form: { ...EMPTY_FORM }, fieldErrors: {}, formError: '', saving: false,
    result: null, urgent: null, items: [], band: '', trends: [],
    talkFirst: false, recording: false, listening: false, heard: '', voiceError: '',
  },
  methods: {
    onLoad(query) {
      this.requested = query && query.patient_id
      this.setData({ talkFirst: voice.talkFirst() })
    },
    onTalkStart() {
      if (this.recorder || this.data.listening) return
      this.recorder = speech.record()
      this.setData({ recording: true, voiceError: '', heard: '' })
    },
    /** The numbers heard go into the form; nothing is saved until the person taps 保存. */
    async onTalkEnd() {
      const recorder = this.recorder
      if (!recorder) return
      this.recorder = null
      this.setData({ recording: false })
      recorder.stop()
      try {
        const recorded = await recorder.done
        if (speech.tooShort(recorded)) {
          this.setData({ voiceError: '说话时间太短了，请按住按钮，说完再松开。' })
          return
        }
        this.setData({ listening: true })
        const heard = await speech.transcribe(recorded.path)
        const reading = this.data.kind === 'blood_pressure' ? spoken.bloodPressure(heard) : spoken.glucose(heard)
        const filled = Object.keys(reading)
        const form = { ...this.data.form, ...reading }
        this.setData({
          listening: false, heard, form,
          voiceError: filled.length ? '' : '没有听出读数，请再说一遍，比如“高压145，低压88”。',
        })
      } catch (err) {
        this.setData({ listening: false, recording: false, voiceError: errors.messageOf(err) })
      }
    },
    onShow() {
      this.load()
    },
    async load() {
      try {
        const people = this.data.people.length ? this.data.people : await profiles.list()
        const chosen = people.find((p) => p.id === (this.data.patientId || this.requested))
          || people.find((p) => p.relationship === 'self') || people[0]
        if (!chosen) {
          this.setData({ loading: false, people })
          return
        }
        this.setData({ people, patientId: chosen.id, patientName: chosen.name })
        await this.loadHistory()
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    async loadHistory() {
      try {
        const found = await vitals.history(this.data.patientId)
        this.setData({
          loading: false, error: '', notEnrolled: '',
          items: found.readings.slice().reverse().map(vitals.view), band: vitals.bandText(found.targets),
          trends: ['systolic', 'fasting_glucose'].map((m) => vitals.trend(found.readings, found.targets, m))
            .filter(Boolean),
        })
      } catch (err) {
        if (err.code === 'not_enrolled') {
          this.setData({ loading: false, error: '', notEnrolled: err.message, items: [], band: '', trends: [] })
        } else {
          this.setData({ loading: false, error: errors.messageOf(err) })
        }
      }
    },
    pick() {
      this.setData({ picking: !this.data.picking })
    },
    onSelect(event) {
      this.setData({
        patientId: event.detail.profile.id, patientName: event.detail.profile.name, picking: false,
        loading: true, result: null, urgent: null,
      })
      this.loadHistory()
    },
    chooseKind(event) {
      this.setData({ kind: event.currentTarget.dataset.kind, fieldErrors: {}, formError: '', result: null })
    },
    onTiming(event) {
      this.setData({ timingIndex: Number(event.detail.value) })
    },
    onInput(event) {
      const field = event.currentTarget.dataset.field
      const fieldErrors = { ...this.data.fieldErrors }
      delete fieldErrors[field]
      this.setData({ [`form.${field}`]: event.detail.value, fieldErrors, formError: '' })
    },
    toggleSymptom(event) {
      const index = Number(event.currentTarget.dataset.index)
      this.setData({ [`symptoms[${index}].checked`]: !this.data.symptoms[index].checked })
    },
    body() {
      const { form, kind } = this.data
      const symptoms = vitals.BODY_KINDS[kind] ? [] : this.data.symptoms.filter((s) => s.checked).map((s) => s.code)
      const number = (text) => (String(text).trim() === '' ? undefined : Number(text))
      const body = { patient_id: this.data.patientId, kind, symptoms }
      if (vitals.BODY_KINDS[kind]) {
        body[kind] = number(form[kind])
        if (kind === 'weight' && number(form.height_cm) !== undefined) body.height_cm = number(form.height_cm)
      } else if (kind === 'blood_pressure') {
        body.systolic = number(form.systolic)
        body.diastolic = number(form.diastolic)
        if (number(form.pulse) !== undefined) body.pulse = number(form.pulse)
      } else {
        body.glucose = number(form.glucose)
        body.timing = this.data.timings[this.data.timingIndex].code
      }
      return body
    },
    /** What the phone can tell at once: empty boxes and things that are not whole numbers. */
    missing(body) {
      const found = {}
      const whole = (v) => Number.isInteger(v)
      const kind = vitals.BODY_KINDS[body.kind]
      if (kind) {
        if (body[body.kind] === undefined || Number.isNaN(body[body.kind])) found[body.kind] = `请填写${kind.word}。`
        if (Number.isNaN(body.height_cm)) found.height_cm = '身高请填数字。'
      } else if (body.kind === 'blood_pressure') {
        if (!whole(body.systolic)) found.systolic = '请填写高压（整数）。'
        if (!whole(body.diastolic)) found.diastolic = '请填写低压（整数）。'
        if (body.pulse !== undefined && !whole(body.pulse)) found.pulse = '心率请填整数。'
      } else if (body.glucose === undefined || Number.isNaN(body.glucose)) {
        found.glucose = '请填写血糖值。'
      }
      return found
    },
    async save() {
      if (this.data.saving) return
      const body = this.body()
      const found = this.missing(body)
      if (Object.keys(found).length) {
        this.setData({ fieldErrors: found, formError: '请按提示填写后再保存。' })
        return
      }
      this.setData({ saving: true, formError: '' })
      try {
        const result = await vitals.record(body)
        if (result.urgent) {
          platform.vibrate()
          this.setData({ urgent: result, result: null, saving: false })
        } else {
          this.setData({ result, urgent: null, saving: false })
        }
        this.setData({ form: { ...EMPTY_FORM }, symptoms: this.data.symptoms.map((s) => ({ ...s, checked: false })) })
        await this.loadHistory()
      } catch (err) {
        const fieldErrors = errors.fieldMessages(err)
        this.setData({
          saving: false, fieldErrors,
          formError: Object.keys(fieldErrors).length ? '请按提示修改后再保存。' : errors.messageOf(err),
        })
      }
    },
    openQuestionnaire() {
      platform.navigateTo(`/followup/pages/questionnaire/index?${this.who()}`)
    },
    openEducation() {
      platform.navigateTo(`/followup/pages/education/index?${this.who()}`)
    },
    openWaistSmoking() {
      platform.navigateTo(`/followup/pages/waist-smoking/index?${this.who()}`)
    },
    openReminders() {
      platform.navigateTo(`/followup/pages/reminders/index?${this.who()}`)
    },
    who() {
      return `patient_id=${this.data.patientId}&name=${encodeURIComponent(this.data.patientName)}`
    },
    call120() {
      platform.makePhoneCall('120')
    },
    closeUrgent() {
      this.setData({ urgent: null })
    },
  },
})
