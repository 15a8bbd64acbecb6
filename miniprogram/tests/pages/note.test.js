/** The pre-visit note: review, correct, confirm, delivery to the doctor, amendments. */
const { page, tap, text, exists, input, fixture } = require('../support/render')
const { ok } = require('../support/backend')
const conversations = require('../../assistant/services/conversations')

const recording = fixture('chat_pre_consultation')
const conversationId = recording.start.data.id
const draft = recording.note_draft.data
const confirmed = recording.note_confirmed.data
const amended = recording.note_amended.data
const ALLERGY = 'allergy.drugs'
const ALLERGY_ID = 'allergy-drugs'

describe('reviewing a draft', () => {
  beforeEach(() => {
    backend.reply('GET', '/mp/conversations/{conversation_id}/note', draft)
  })

  test('every line is shown in words; the symptom itself cannot be edited', async () => {
    const note = await page('assistant/pages/note/index', { conversation_id: conversationId })
    expect(note.querySelectorAll('.note-row')).toHaveLength(draft.slots.length)
    expect(text(note, `#row-${ALLERGY_ID}`)).toContain('药物过敏史')
    expect(exists(note, `#edit-${ALLERGY_ID}`)).toBe(true)
    expect(exists(note, '#edit-chief_complaint-symptom')).toBe(false)
  })

  test('a corrected line goes with the confirmation; the note comes back confirmed', async () => {
    backend.reply('POST', '/mp/conversations/{conversation_id}/note/confirm', confirmed, 201)
    const note = await page('assistant/pages/note/index', { conversation_id: conversationId, edit: '1' })
    await tap(note, `#edit-${ALLERGY_ID}`)
    await input(note, '#edit-input', '青霉素')
    await tap(note, '#save-edit')
    expect(text(note, `#row-${ALLERGY_ID}`)).toContain('青霉素（已修改）')
    expect(text(note, '#confirm')).toBe('确认修改并提交给医生')
    await tap(note, '#confirm')
    expect(backend.calls('POST', '/mp/conversations/{conversation_id}/note/confirm')[0].body).toEqual({ edits: [{ key: ALLERGY, value: '青霉素' }] })
    expect(text(note, '#delivery-label')).toBe(confirmed.delivery_label)
    expect(note.querySelector('#delivery-label').dom.className).toContain('ok-text')
    expect(text(note, '#narrative')).toContain(confirmed.narrative.split('\n')[0])
    expect(conversations.knownNoteId(conversationId)).toBe(confirmed.id)
  })

  test('an empty correction is refused in words', async () => {
    const note = await page('assistant/pages/note/index', { conversation_id: conversationId })
    await tap(note, `#edit-${ALLERGY_ID}`)
    await input(note, '#edit-input', '  ')
    await tap(note, '#save-edit')
    expect(text(note, '#form-error')).toBe('请填写内容，或点“取消”。')
    await tap(note, '#cancel-edit')
    expect(exists(note, '#edit-input')).toBe(false)
  })

  test('the backend\'s refusal is shown', async () => {
    backend.on('POST', '/mp/conversations/{conversation_id}/note/confirm', () => ({ status: 409, body: { error: { code: 'note_incomplete', message: '还没有说清楚哪里不舒服，暂时不能生成记录。', request_id: 'r' } } }))
    const note = await page('assistant/pages/note/index', { conversation_id: conversationId })
    await tap(note, '#confirm')
    expect(text(note, '#form-error')).toBe('还没有说清楚哪里不舒服，暂时不能生成记录。')
  })
})

describe('a confirmed note', () => {
  beforeEach(() => {
    let reads = 0
    backend.on('GET', '/mp/notes/{note_id}', () => {
      reads += 1
      // The EMR receives it in the background: waiting first, delivered on a later look.
      return ok(reads === 1 ? { ...confirmed, delivery_state: 'waiting', delivery_label: '等待发送' } : confirmed)
    })
  })

  test('opens directly and follows its delivery to the doctor', async () => {
    const note = await page('assistant/pages/note/index', { conversation_id: conversationId, note_id: confirmed.id })
    expect(text(note, '#delivery-label')).toBe('等待发送')
    note.instance.onShow()
    await new Promise((r) => setTimeout(r, 0))
    await new Promise((r) => setTimeout(r, 0))
    expect(text(note, '#delivery-label')).toBe('已送达医生')
    expect(backend.calls('GET', '/mp/conversations/{conversation_id}/note')).toHaveLength(0)
  })

  test('a correction needs a changed line and a reason, and becomes a new version', async () => {
    backend.reply('POST', '/mp/notes/{note_id}/amendments', amended, 201)
    const note = await page('assistant/pages/note/index', { conversation_id: conversationId, note_id: confirmed.id })
    expect(exists(note, `#edit-${ALLERGY_ID}`)).toBe(false) // read-only until the person asks to correct
    await tap(note, '#start-amend')
    await tap(note, '#submit-amend')
    expect(text(note, '#form-error')).toContain('请先点“修改”')
    await tap(note, `#edit-${ALLERGY_ID}`)
    await input(note, '#edit-input', '青霉素、头孢')
    await tap(note, '#save-edit')
    await tap(note, '#submit-amend')
    expect(text(note, '#form-error')).toContain('请简单说明为什么要更正')
    await input(note, '#reason', '想起来对头孢也过敏')
    await tap(note, '#submit-amend')
    const [call] = backend.calls('POST', '/mp/notes/{note_id}/amendments')
    expect(call.params.note_id).toBe(confirmed.id)
    expect(call.body).toEqual({ edits: [{ key: ALLERGY, value: '青霉素、头孢' }], reason: '想起来对头孢也过敏' })
    expect(note.data.note.version).toBe(2)
    expect(text(note, '#delivery')).toContain('更正原因：想起来对头孢也过敏')
    expect(conversations.knownNoteId(conversationId)).toBe(amended.id)
  })
})
