/**
 * Talking to the assistant (triage or pre-consultation). Quick replies first, free text or
 * hold-to-talk always (talk first in 长辈模式); what was heard is shown as "您说的是：…" and can be
 * corrected; a spoken message gets a spoken reply. A red flag opens the emergency screen at
 * once; a triage result books straight into the suggested department; a finished
 * pre-consultation goes to the note for review.
 * Query: mode, patient_id?, hospital_id?, conversation_id? (open that conversation).
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const account = require('../../../services/account')
const profiles = require('../../../services/profiles')
const hospitals = require('../../../services/hospitals')
const errors = require('../../../services/errors')
const voice = require('../../../services/voice')
const speech = require('../../../services/speech')
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
    talking: false, // hold-to-talk instead of the text box
    recording: false,
    heard: '', // 您说的是：…
    correcting: false,
    correction: '',
  },
  methods: {
    onLoad(query = {}) {
      this.query = query
      this.mode = query.mode === 'pre_consultation' ? 'pre_consultation' : 'triage'
      platform.setTitle(TITLES[this.mode])
      this.setData({ talking: voice.talkFirst() })
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

    applyTurn(turn, spoken = false) {
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
      if (!spoken) voice.announce(turn.text)
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

    // --- speaking instead of typing -------------------------------------------------------

    switchInput() {
      this.setData({ talking: !this.data.talking, sendError: '' })
    },

    /** Finger down on 按住说话: the reply being read out stops, the microphone opens. */
    onTalkStart() {
      if (this.data.typing || this.recorder || !this.conversation) return
      this.recorder = speech.record()
      this.setData({ recording: true, sendError: '', correcting: false })
    },

    /** Finger up: the recording goes to the assistant as this turn's answer. */
    async onTalkEnd() {
      const recorder = this.recorder
      if (!recorder) return
      this.recorder = null
      this.setData({ recording: false })
      recorder.stop()
      let recorded
      try {
        recorded = await recorder.done
      } catch (err) {
        this.setData({ sendError: '没能打开麦克风，请在设置里允许使用麦克风，或者打字告诉我。' })
        return
      }
      if (speech.tooShort(recorded)) {
        this.setData({ sendError: '说话时间太短了，请按住按钮，说完再松开。' })
        return
      }
      await this.sendVoice(recorded.path)
    },

    async sendVoice(path) {
      this.setData({ typing: true, sendError: '', heard: '', scrollTo: 'bottom' })
      try {
        const result = await conversations.speak(this.conversation.id, path)
        const mine = chat.message('patient', result.transcript)
        const reply = chat.message('assistant', chat.bubbleText(result.turn))
        this.setData({
          typing: false, heard: result.transcript, correction: result.transcript,
          messages: this.data.messages.concat(mine, reply),
        })
        this.applyTurn(result.turn, true)
        if (chat.isEmergency(result.turn)) this.openEmergency(result.turn.red_flag)
        speech.play(result.speech)
      } catch (err) {
        // Nothing reached the assistant (or it was not heard): say why, keep the page as it was.
        this.setData({ typing: false, sendError: errors.messageOf(err) })
      }
    },

    /** 说错了，改一下: the heard words in the text box, to send as the corrected answer. */
    correctHeard() {
      this.setData({ correcting: true, correction: this.data.heard })
    },

    onCorrectionInput(event) {
      this.setData({ correction: event.detail.value })
    },

    sendCorrection() {
      const words = this.data.correction
      this.setData({ correcting: false, heard: '' })
      this.send(words)
    },

    onHide() {
      speech.silence()
    },

    onUnload() {
      speech.silence()
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
