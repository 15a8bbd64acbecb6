/**
 * Talking to the assistant (triage or pre-consultation). Quick replies first, free text
 * always; a red flag opens the emergency screen at once; a triage result books straight into
 * the suggested department; a finished pre-consultation goes to the note for review.
 * Query: mode, patient_id?, hospital_id?, conversation_id? (open that conversation).
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const account = require('../../../services/account')
const profiles = require('../../../services/profiles')
const hospitals = require('../../../services/hospitals')
const errors = require('../../../services/errors')
const voice = require('../../../services/voice')
const handoff = require('../../../utils/handoff')
const conversations = require('../../services/conversations')
const chat = require('../../services/chat')

const TITLES = { triage: '智能导诊', pre_consultation: '诊前问诊' }

Component({
  behaviors: [pageBehavior],
  data: {
    phase: 'loading', // loading | error | no-patient | choose-patient | resume-offer | chatting
    errorText: '',
    patients: [],
    resumeText: '',
    messages: [],
    quickReplies: [],
    hint: '',
    draft: '',
    typing: false,
    finished: false,
    redFlag: null,
    triage: [],
    triageUncertain: false,
    review: false,
    failedText: '',
    sendError: '',
    scrollTo: '',
  },
  methods: {
    onLoad(query = {}) {
      this.query = query
      this.mode = query.mode === 'pre_consultation' ? 'pre_consultation' : 'triage'
      platform.setTitle(TITLES[this.mode])
      this.prepare()
    },

    returnUrl() {
      const q = this.query
      const params = [`mode=${this.mode}`]
      if (q.patient_id) params.push(`patient_id=${q.patient_id}`)
      if (q.hospital_id) params.push(`hospital_id=${q.hospital_id}`)
      return `/assistant/pages/chat/index?${params.join('&')}`
    },

    async prepare() {
      this.setData({ phase: 'loading', errorText: '' })
      try {
        if (this.query.conversation_id) {
          this.show(await conversations.get(this.query.conversation_id))
          return
        }
        if (!(await account.ensureConsent(this.returnUrl()))) return
        const list = await profiles.list()
        const chosen = list.find((p) => p.id === this.query.patient_id)
        if (chosen || list.length === 1) await this.choose(chosen || list[0])
        else if (!list.length) this.setData({ phase: 'no-patient' })
        else this.setData({ phase: 'choose-patient', patients: list })
      } catch (err) {
        this.setData({ phase: 'error', errorText: errors.messageOf(err) })
      }
    },

    async choose(patient) {
      this.patient = patient
      const open = await conversations.unfinished(patient.id, this.mode)
      if (open) {
        this.pending = open
        this.setData({ phase: 'resume-offer', resumeText: `上次问到：“${open.last_turn.text}”` })
      } else {
        await this.startNew()
      }
    },

    async onPatientSelect(event) {
      try {
        await this.choose(event.detail.profile)
      } catch (err) {
        this.setData({ phase: 'error', errorText: errors.messageOf(err) })
      }
    },

    /** The form opens on top; back here, the list is read again with the new person in it. */
    addPatient() {
      this.wentToAdd = true
      platform.navigateTo('/pages/profile-edit/index')
    },

    onShow() {
      if (!this.wentToAdd) return
      this.wentToAdd = false
      if (this.data.phase === 'no-patient' || this.data.phase === 'choose-patient') this.prepare()
    },

    async startNew() {
      this.setData({ phase: 'loading' })
      const chosen = hospitals.chosen()
      const hospitalId = this.query.hospital_id || (chosen && chosen.id) || null
      this.show(await conversations.start(this.patient.id, this.mode, hospitalId))
    },

    resumeOffered() {
      this.show(this.pending)
    },

    async startOver() {
      try {
        await this.startNew()
      } catch (err) {
        this.setData({ phase: 'error', errorText: errors.messageOf(err) })
      }
    },

    /** Draws a conversation (new or resumed) from its transcript and last turn. */
    show(conversation) {
      this.conversation = conversation
      this.mode = conversation.mode
      platform.setTitle(TITLES[this.mode])
      this.setData({ phase: 'chatting', messages: chat.fromTranscript(conversation.transcript) })
      this.applyTurn(conversation.last_turn)
    },

    applyTurn(turn) {
      this.turn = turn
      this.setData({
        quickReplies: turn.quick_replies || [],
        hint: turn.hint || '',
        finished: !!turn.done && turn.stage !== 'review',
        redFlag: chat.isEmergency(turn) ? turn.red_flag : this.data.redFlag,
        screening: turn.stage === 'screening',
        triage: turn.stage === 'triage_result' ? chat.triageView(turn) : [],
        triageUncertain: !!turn.triage_uncertain,
        review: turn.stage === 'review' || (turn.stage === 'done' && this.mode === 'pre_consultation'),
        scrollTo: 'bottom',
      })
      voice.announce(turn.text)
    },

    async send(text) {
      const words = (text || '').trim()
      if (!words || this.data.typing || !this.conversation) return
      const mine = chat.message('patient', words)
      this.setData({
        messages: this.data.messages.concat(mine), typing: true, failedText: '', sendError: '', draft: '', scrollTo: 'bottom',
      })
      try {
        const turn = await conversations.send(this.conversation.id, words)
        this.setData({ typing: false, messages: this.data.messages.concat(chat.message('assistant', chat.bubbleText(turn))) })
        this.applyTurn(turn)
        if (chat.isEmergency(turn)) this.openEmergency(turn.red_flag)
      } catch (err) {
        // Not retried on its own: a message sent twice would be answered twice.
        const messages = this.data.messages.map((m) => (m.id === mine.id ? { ...m, failed: true } : m))
        this.setData({ typing: false, messages, failedText: words, sendError: errors.messageOf(err) })
      }
    },

    resend() {
      const text = this.data.failedText
      this.setData({ messages: this.data.messages.filter((m) => !m.failed) })
      this.send(text)
    },

    onInput(event) {
      this.setData({ draft: event.detail.value })
    },

    onSend() {
      this.send(this.data.draft)
    },

    onQuickReply(event) {
      const action = chat.actionFor(event.detail.reply, this.turn)
      if (action.type === 'call') platform.makePhoneCall(action.number)
      else if (action.type === 'acknowledge') this.setData({ quickReplies: ['拨打120'] })
      else if (action.type === 'restart') this.startOver()
      else if (action.type === 'book') this.book(action.department)
      else if (action.type === 'review') this.openReview(action.edit)
      else this.send(action.text)
    },

    onBook(event) {
      this.book(event.detail.department)
    },

    /** 挂这个科: the department code is matched to the hospital's own list on the next page. */
    book(department) {
      const chosen = hospitals.chosen()
      const hospitalId = this.query.hospital_id || (chosen && chosen.id) || ''
      platform.navigateTo(`/booking/pages/schedules/index?hospital_id=${hospitalId}`
        + `&department_code=${encodeURIComponent(department.code)}&department_name=${encodeURIComponent(department.name)}`)
    },

    openReview(edit) {
      const suffix = edit === true ? '&edit=1' : ''
      platform.navigateTo(`/assistant/pages/note/index?conversation_id=${this.conversation.id}${suffix}`)
    },

    onReviewTap() {
      this.openReview(false)
    },

    openEmergency(redFlag) {
      handoff.put('redFlag', { conversationId: this.conversation.id, redFlag })
      platform.vibrate()
      platform.navigateTo(`/assistant/pages/emergency/index?conversation_id=${this.conversation.id}`)
    },

    call120() {
      platform.makePhoneCall('120')
    },

    callHotline() {
      platform.makePhoneCall('12356')
    },
  },
})
