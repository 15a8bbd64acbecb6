/**
 * The assistant, end to end on the page, against recorded backend replies: triage to a
 * department and on to booking, a red flag, resuming, and a pre-consultation to its review.
 */
const { HOSTS, useHost } = require('../support/alipay-host')
const { page, tap, text, exists, input, settle, fixture } = require('../support/render')
const { replay } = require('../support/conversation')

const profiles = fixture('profiles').data
const self = profiles.find((p) => p.relationship === 'self')
const hospital = fixture('hospitals').data.find((h) => h.code === 'H001')

function bubbles(chat) {
  return chat.querySelectorAll('.message').map((m) => [m.data.role, m.data.text])
}

function replyIndex(chat, reply) {
  return chat.querySelector('#quick-replies').data.items.findIndex((i) => i.text === reply)
}

async function tapReply(chat, reply) {
  const index = replyIndex(chat, reply)
  if (index < 0) throw new Error(`no quick reply "${reply}" among ${chat.data.quickReplies}`)
  await tap(chat.querySelector('#quick-replies'), `#reply-${index}`)
}

function setUp() {
  backend.reply('GET', '/mp/me', fixture('me').data)
  backend.reply('GET', '/mp/profiles', profiles)
  require('../../services/hospitals').choose(hospital)
}

// The same pages, fixtures and assertions on both hosts: only the platform wrapper differs.
describe.each(HOSTS)('on %s', (kind) => {
  beforeEach(() => {
    useHost(kind)
    setUp()
  })

  describe('triage', () => {
    test('from "who is it for" to the suggested department, then straight to booking', async () => {
      const { recording, sent } = replay('chat_triage')
      const chat = await page('assistant/pages/chat/index', { mode: 'triage' })
      expect(exists(chat, '#choose-patient')).toBe(true)
      await tap(chat.querySelector('#picker'), `#person-${self.id}`)

      expect(backend.calls('POST', '/mp/conversations')[0].body).toEqual({ patient_id: self.id, mode: 'triage', hospital_id: hospital.id })
      expect(bubbles(chat)).toEqual([['assistant', recording.start.data.last_turn.text]])
      expect(chat.data.quickReplies).toEqual(recording.start.data.last_turn.quick_replies)

      // Free text: typed and sent; the typing indicator shows until the reply arrives.
      await input(chat, '#draft', recording.turns[0].sent)
      chat.querySelector('#send').dispatchEvent('tap')
      await Promise.resolve() // the tap is handled; the backend has not answered yet
      expect(exists(chat, '#typing')).toBe(true)
      await settle()
      expect(exists(chat, '#typing')).toBe(false)
      expect(chat.data.draft).toBe('')
      expect(chat.data.hint).toBe(recording.turns[0].reply.data.hint || '')

      // A quick reply, as most people answer.
      await tapReply(chat, recording.turns[1].sent)
      expect(sent).toEqual(recording.turns.map((t) => t.sent))
      const result = recording.turns[1].reply.data
      expect(result.stage).toBe('triage_result')
      expect(bubbles(chat).slice(-1)[0]).toEqual(['assistant', result.text.split('\n')[0]]) // the list is the card
      expect(exists(chat, '#triage')).toBe(true)
      expect(text(chat, '#triage')).toContain(result.triage[0].name)
      expect(exists(chat, '#draft')).toBe(false) // done: nothing more to type

      await tap(chat.querySelector('#triage'), '#book-0')
      expect(host.log.navigations).toEqual([{
        type: 'navigateTo',
        url: `/booking/pages/schedules/index?hospital_id=${hospital.id}&department_code=${result.triage[0].code}&department_name=${encodeURIComponent(result.triage[0].name)}`,
      }])
    })

    test('"挂神经内科" as a quick reply books too; "重新描述" starts again', async () => {
      const { recording } = replay('chat_triage')
      const chat = await page('assistant/pages/chat/index', { mode: 'triage', patient_id: self.id })
      await input(chat, '#draft', recording.turns[0].sent)
      await tap(chat, '#send')
      await tapReply(chat, recording.turns[1].sent)
      const result = recording.turns[1].reply.data
      await tapReply(chat, `挂${result.triage[1].name}`)
      expect(host.log.navigations[0].url).toContain(`department_code=${result.triage[1].code}`)
      await tapReply(chat, '重新描述')
      expect(backend.calls('POST', '/mp/conversations')).toHaveLength(2)
    })
  })

  describe('red flag', () => {
    test('opens the emergency screen at once and keeps 120 on the chat', async () => {
      const { recording } = replay('chat_red_flag')
      const chat = await page('assistant/pages/chat/index', { mode: 'triage', patient_id: self.id })
      await input(chat, '#draft', recording.turns[0].sent)
      await tap(chat, '#send')
      const turn = recording.turns[0].reply.data
      expect(turn.red_flag).not.toBeNull()
      expect(host.log.navigations).toEqual([{ type: 'navigateTo', url: `/assistant/pages/emergency/index?conversation_id=${recording.start.data.id}` }])
      expect(host.log.vibrations).toBe(1)
      expect(text(chat, '#red-flag-banner')).toContain(turn.red_flag.name)

      const emergency = await page('assistant/pages/emergency/index', { conversation_id: recording.start.data.id })
      expect(text(emergency, '#red-flag-name')).toBe(turn.red_flag.name)
      expect(text(emergency, '#advice')).toBe(turn.red_flag.advice)
      expect(text(emergency, '#words')).toContain(turn.red_flag.words[0])
      expect(host.log.navColors).toContain('#b3261e')
      await tap(emergency, '#call-120')
      expect(host.log.calls).toEqual(['120'])

      await tapReply(chat, '拨打120')
      await tap(chat, '#banner-call')
      expect(host.log.calls).toEqual(['120', '120', '120'])
      await tapReply(chat, '我知道了')
      expect(chat.data.quickReplies).toEqual(['拨打120'])
      expect(backend.calls('POST', '/mp/conversations/{conversation_id}/messages')).toHaveLength(1)
    })

    test('passive thoughts of death: a screening question in the chat, the hotline at hand, then on', async () => {
      const { recording } = replay('chat_screening')
      const chat = await page('assistant/pages/chat/index', { mode: 'triage', patient_id: self.id })
      await input(chat, '#draft', recording.turns[0].sent)
      await tap(chat, '#send')
      const turn = recording.turns[0].reply.data
      expect(turn.stage).toBe('screening')
      expect(turn.red_flag.level).toBe('screen')
      expect(host.log.navigations).toEqual([]) // no emergency screen for a screening question
      expect(exists(chat, '#red-flag-banner')).toBe(false)
      expect(chat.data.quickReplies).toEqual(['有', '没有'])
      await tap(chat, '#call-hotline')
      expect(host.log.calls).toEqual(['12356'])

      await tapReply(chat, '没有')
      expect(exists(chat, '#screening-banner')).toBe(false)
      expect(chat.data.quickReplies).toEqual(recording.turns[1].reply.data.quick_replies)
    })

    test('the emergency screen shows the call button even before (or without) the network', async () => {
      backend.offline = 10
      const emergency = await page('assistant/pages/emergency/index', { conversation_id: 'c-unknown' })
      expect(exists(emergency, '#call-120')).toBe(true)
      expect(text(emergency, '#advice')).toContain('请马上拨打120')
    })

    test('a cold-started emergency screen fetches the advice', async () => {
      const { recording } = replay('chat_red_flag')
      backend.reply('GET', '/mp/conversations/{conversation_id}', { ...recording.resume.data, last_turn: recording.turns[0].reply.data })
      const emergency = await page('assistant/pages/emergency/index', { conversation_id: recording.start.data.id })
      expect(text(emergency, '#red-flag-name')).toBe(recording.turns[0].reply.data.red_flag.name)
    })
  })

  describe('resume and robustness', () => {
    test('an unfinished conversation is offered and resumed where it stopped', async () => {
      const unfinished = fixture('conversations_unfinished').data[0]
      backend.reply('GET', '/mp/conversations', [unfinished])
      backend.reply('POST', '/mp/conversations', fixture('chat_triage').start.data, 201)
      const chat = await page('assistant/pages/chat/index', { mode: 'triage', patient_id: self.id })
      expect(backend.calls('GET', '/mp/conversations')[0].query).toEqual({ patient_id: self.id, unfinished: 'true' })
      expect(text(chat, '#resume-offer')).toContain(unfinished.last_turn.text)
      await tap(chat, '#resume')
      expect(bubbles(chat)).toEqual(unfinished.transcript.map((m) => [m.role === 'patient' ? 'patient' : 'assistant', m.text]))
      expect(chat.data.quickReplies).toEqual(unfinished.last_turn.quick_replies)
      expect(backend.calls('POST', '/mp/conversations')).toHaveLength(0)
    })

    test('starting over leaves the old conversation and opens a new one', async () => {
      backend.reply('GET', '/mp/conversations', fixture('conversations_unfinished').data)
      backend.reply('POST', '/mp/conversations', fixture('chat_triage').start.data, 201)
      const chat = await page('assistant/pages/chat/index', { mode: 'triage', patient_id: self.id })
      await tap(chat, '#start-over')
      expect(backend.calls('POST', '/mp/conversations')).toHaveLength(1)
      expect(bubbles(chat)).toHaveLength(1)
    })

    test('a message lost to the network is marked and can be sent again', async () => {
      const { recording } = replay('chat_triage')
      const chat = await page('assistant/pages/chat/index', { mode: 'triage', patient_id: self.id })
      backend.offline = 1
      await input(chat, '#draft', recording.turns[0].sent)
      await tap(chat, '#send')
      expect(text(chat, '#send-failed')).toContain('网络好像断了')
      expect(chat.querySelectorAll('.message').slice(-1)[0].data.failed).toBe(true)
      await tap(chat, '#resend')
      expect(exists(chat, '#send-failed')).toBe(false)
      expect(bubbles(chat).slice(-2)).toEqual([['patient', recording.turns[0].sent], ['assistant', recording.turns[0].reply.data.text]])
    })

    test('no 就诊人 yet: asks to add one, and goes on when back with one', async () => {
      backend.reply('GET', '/mp/profiles', [])
      replay('chat_triage')
      const chat = await page('assistant/pages/chat/index', { mode: 'triage' })
      await tap(chat, '#add-patient')
      expect(host.log.navigations[0]).toEqual({ type: 'navigateTo', url: '/pages/profile-edit/index' })
      backend.reply('GET', '/mp/profiles', [self])
      chat.instance.onShow()
      await settle()
      expect(chat.data.phase).toBe('chatting')
      expect(backend.calls('POST', '/mp/conversations')[0].body.patient_id).toBe(self.id)
    })

    test('without consent, the policy comes first', async () => {
      backend.reply('GET', '/mp/me', { ...fixture('me').data, privacy_consented_at: null, privacy_policy_version: null })
      await page('assistant/pages/chat/index', { mode: 'triage' })
      expect(host.log.navigations[0].url).toMatch(/^\/pages\/consent\/index\?redirect=/)
      expect(backend.calls('GET', '/mp/profiles')).toHaveLength(0)
    })

    test('loading fails: the reason and a retry', async () => {
      backend.offline = 10
      const chat = await page('assistant/pages/chat/index', { mode: 'triage' })
      expect(text(chat, '#error')).toContain('网络好像断了')
      backend.offline = 0
      await tap(chat, '#retry')
      expect(exists(chat, '#choose-patient')).toBe(true)
    })
  })

  describe('pre-consultation', () => {
    test('quick replies all the way to the review, then the note page', async () => {
      const { recording, remaining } = replay('chat_pre_consultation')
      const chat = await page('assistant/pages/chat/index', { mode: 'pre_consultation', patient_id: self.id, hospital_id: hospital.id })
      expect(host.log.titles).toContain('诊前问诊')
      await input(chat, '#draft', recording.turns[0].sent)
      await tap(chat, '#send')
      for (const turn of recording.turns.slice(1)) {
        await tapReply(chat, turn.sent)
      }
      expect(remaining()).toBe(0)
      const last = recording.turns.slice(-1)[0].reply.data
      expect(last.stage).toBe('review')
      expect(exists(chat, '#review-card')).toBe(true)
      await tap(chat, '#open-review')
      await tapReply(chat, '我要修改')
      expect(host.log.navigations.map((n) => n.url)).toEqual([
        `/assistant/pages/note/index?conversation_id=${recording.start.data.id}`,
        `/assistant/pages/note/index?conversation_id=${recording.start.data.id}&edit=1`,
      ])
      // "确认无误" is not sent as text: confirming happens on the note page.
      await tapReply(chat, '确认无误')
      expect(backend.calls('POST', '/mp/conversations/{conversation_id}/messages')).toHaveLength(recording.turns.length)
    })

    test('replies are read aloud in elderly mode once a speaker exists', async () => {
      const voice = require('../../services/voice')
      const spoken = []
      voice.registerSpeaker(async (t) => { spoken.push(t) })
      require('../../services/display').setElderly(true)
      try {
        const { recording } = replay('chat_pre_consultation')
        await page('assistant/pages/chat/index', { mode: 'pre_consultation', patient_id: self.id })
        expect(spoken).toEqual([recording.start.data.last_turn.text])
      } finally {
        voice.registerSpeaker(null)
      }
    })
  })
})
