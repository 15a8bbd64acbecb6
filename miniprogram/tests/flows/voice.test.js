/**
 * Speaking to the assistant, on both hosts, against recorded backend replies (chat_voice:
 * the corpus recording "我胸口疼，出冷汗" heard by the offline recognizer in a pre-consultation).
 */
const { HOSTS, useHost } = require('../support/alipay-host')
const { page, tap, exists, text, input, settle, fixture } = require('../support/render')
const { ok, fail } = require('../support/backend')
const display = require('../../services/display')
const voice = require('../../services/voice')
const speech = require('../../services/speech')

const ORIGIN = 'http://127.0.0.1:5000'
const profiles = fixture('profiles').data
const self = profiles.find((p) => p.relationship === 'self')
const recording = fixture('chat_voice')
const spoken = recording.voice.data

function setUp() {
  backend.reply('GET', '/mp/me', fixture('me').data)
  backend.reply('GET', '/mp/profiles', profiles)
  backend.reply('GET', '/mp/conversations', [])
  backend.reply('POST', '/mp/conversations', recording.start.data, 201)
}

async function holdToTalk(chat) {
  chat.querySelector('#talk').dispatchEvent('touchstart')
  await settle()
  expect(chat.data.recording).toBe(true)
  chat.querySelector('#talk').dispatchEvent('touchend')
  await settle()
}

describe.each(HOSTS)('on %s', (kind) => {
  beforeEach(() => {
    useHost(kind)
    setUp()
  })

  test('in 长辈模式 the page opens on 按住说话; the reply to a spoken red flag is shown, spoken and acted on', async () => {
    display.setElderly(true)
    backend.reply('POST', '/mp/conversations/{conversation_id}/voice', spoken)
    const chat = await page('assistant/pages/chat/index', { mode: 'pre_consultation', patient_id: self.id })
    expect(exists(chat, '#talk')).toBe(true)
    expect(exists(chat, '#draft')).toBe(false)

    await holdToTalk(chat)
    const [upload] = backend.calls('POST', '/mp/conversations/{conversation_id}/voice')
    expect(upload.params.conversation_id).toBe(recording.start.data.id)
    expect(upload.body).toEqual({ audio: 'temp://speech.mp3' })
    expect(upload.query).toEqual({ format: 'mp3' })
    expect(upload.headers.Authorization).toMatch(/^Bearer /)
    expect(host.log.recordings[0]).toMatchObject({ sampleRate: 16000, numberOfChannels: 1, format: 'mp3' })

    expect(text(chat, '#heard')).toContain(`您说的是：${spoken.transcript}`)
    const bubbles = chat.querySelectorAll('.message').map((m) => [m.data.role, m.data.text])
    expect(bubbles.slice(-2)[0]).toEqual(['patient', spoken.transcript])
    expect(host.log.navigations.slice(-1)[0].url).toBe(
      `/assistant/pages/emergency/index?conversation_id=${recording.start.data.id}`)
    expect(host.log.audio).toEqual(spoken.speech.map((clip) => ORIGIN + clip.url))
    expect(backend.calls('POST', '/mp/speech')).toEqual([]) // the reply came with its own audio
  })

  test('what was heard can be corrected and sent as the answer', async () => {
    display.setElderly(true)
    backend.reply('POST', '/mp/conversations/{conversation_id}/voice', spoken)
    backend.on('POST', '/mp/conversations/{conversation_id}/messages', () => ok(spoken.turn))
    backend.reply('POST', '/mp/speech', fixture('speech_speak').data, 201)
    const chat = await page('assistant/pages/chat/index', { mode: 'pre_consultation', patient_id: self.id })
    await holdToTalk(chat)
    await tap(chat, '#correct-heard')
    expect(chat.querySelector('#correction').dom.value || chat.data.correction).toBe(spoken.transcript)
    await input(chat, '#correction', '我胸口疼，出了一身冷汗')
    await tap(chat, '#send-correction')
    expect(backend.calls('POST', '/mp/conversations/{conversation_id}/messages')[0].body).toEqual({ text: '我胸口疼，出了一身冷汗' })
    expect(exists(chat, '#heard')).toBe(false)
  })

  test('a recording the backend could not hear says so and sends nothing to the chat', async () => {
    display.setElderly(true)
    const refused = fixture('error_nothing_heard')
    backend.on('POST', '/mp/conversations/{conversation_id}/voice', () => fail(422, refused.error.code, refused.error.message, { field: 'audio' }))
    const chat = await page('assistant/pages/chat/index', { mode: 'pre_consultation', patient_id: self.id })
    const before = chat.data.messages.length
    await holdToTalk(chat)
    expect(text(chat, '#voice-error')).toContain(refused.error.message)
    expect(chat.data.messages.length).toBe(before)
    expect(exists(chat, '#heard')).toBe(false)
  })

  test('in standard mode typing comes first and 说话 switches to hold-to-talk', async () => {
    display.setElderly(false)
    const chat = await page('assistant/pages/chat/index', { mode: 'pre_consultation', patient_id: self.id })
    expect(exists(chat, '#draft')).toBe(true)
    await tap(chat, '#to-voice')
    expect(exists(chat, '#talk')).toBe(true)
    await tap(chat, '#to-keyboard')
    expect(exists(chat, '#draft')).toBe(true)
  })

  test('in 长辈模式 a question arriving as text is read aloud in the backend voice', async () => {
    display.setElderly(true)
    voice.registerSpeaker(speech.speak) // as app.js does on launch
    const clips = fixture('speech_speak').data
    backend.reply('POST', '/mp/speech', clips, 201)
    try {
      await page('assistant/pages/chat/index', { mode: 'pre_consultation', patient_id: self.id })
      await settle()
      expect(backend.calls('POST', '/mp/speech')[0].body).toEqual({ text: recording.start.data.last_turn.text })
      expect(host.log.audio).toEqual(clips.speech.map((clip) => ORIGIN + clip.url))
    } finally {
      voice.registerSpeaker(null)
    }
  })
})
