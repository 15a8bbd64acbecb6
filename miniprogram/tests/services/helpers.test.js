/** Plain helpers: validation, formatting, chat actions, note rows, subscriptions. */
const validate = require('../../utils/validate')
const format = require('../../utils/format')
const chat = require('../../assistant/services/chat')
const noteView = require('../../assistant/services/note-view')
const subscriptions = require('../../booking/services/subscriptions')
const display = require('../../services/display')
const voice = require('../../services/voice')
const { fixture } = require('../support/render')

describe('validation mirrors the backend', () => {
  test('resident ID: checksum, length, characters, birth date', () => {
    expect(validate.parseResidentId('110105198203150033')).toEqual({ number: '110105198203150033', birthDate: '1982-03-15', sex: 'male' })
    expect(validate.parseResidentId('１１０１０５１９８５１１２０００４７')).toMatchObject({ sex: 'female', birthDate: '1985-11-20' })
    expect(validate.parseResidentId('110105201901010000').error).toBe('身份证号码校验不通过，请核对后重新输入。')
    expect(validate.parseResidentId('1101051982').error).toBe('身份证号码应为18位，请核对后重新输入。')
    expect(validate.parseResidentId('11010519820315003A').error).toMatch('只能包含数字')
    expect(validate.parseResidentId('').error).toBe('请输入身份证号码。')
    expect(validate.parseResidentId('110105199902300015').error).toMatch('出生日期无效')
  })

  test('names and phones', () => {
    expect(validate.checkName('张伟')).toBeNull()
    expect(validate.checkName('阿依古丽·买买提')).toBeNull()
    expect(validate.checkName('张')).toBe('请填写证件上的真实姓名。')
    expect(validate.checkName('')).toBe('请填写姓名。')
    expect(validate.checkMobile('')).toBeNull()
    expect(validate.checkMobile('+86 138-0013-8001')).toBeNull()
    expect(validate.checkMobile('12345')).toBe('手机号码格式不正确，请输入11位手机号。')
    expect(validate.checkDocument('passport', 'E1234')).toBeNull()
    expect(validate.checkDocument('passport', '')).toBe('请输入证件号码。')
  })
})

describe('formatting', () => {
  test('money in fen, China Standard Time', () => {
    expect(format.yuan(1000)).toBe('10.00')
    expect(format.yuan(5)).toBe('0.05')
    expect(format.time('2026-11-23T00:30:00+00:00')).toBe('08:30')
    expect(format.day('2026-11-23')).toBe('11月23日 周一')
    expect(format.countdown(125)).toBe('2分05秒')
    expect(format.isoDay(Date.parse('2026-11-22T17:00:00Z'))).toBe('2026-11-23')
  })
})

describe('chat actions', () => {
  const triage = fixture('chat_triage').turns.slice(-1)[0].reply.data
  const emergency = fixture('chat_red_flag').turns[0].reply.data

  test('recorded quick replies map to what the app does', () => {
    expect(chat.actionFor('拨打120', emergency)).toEqual({ type: 'call', number: '120' })
    expect(chat.actionFor('我知道了', emergency)).toEqual({ type: 'acknowledge' })
    expect(chat.actionFor(triage.quick_replies[0], triage)).toMatchObject({ type: 'book', department: { code: triage.triage[0].code } })
    expect(chat.actionFor('重新描述', triage)).toEqual({ type: 'restart' })
    expect(chat.actionFor('确认无误', { stage: 'review' })).toEqual({ type: 'review', edit: false })
    expect(chat.actionFor('额头', { stage: 'present_illness' })).toEqual({ type: 'send', text: '额头' })
  })

  test('triage cards carry the basis and the confidence', () => {
    const [first] = chat.triageView(triage)
    expect(first.basis).toBe(triage.triage[0].reason.replace(/^因为[:：]/, ''))
    expect(first.confidenceText).toMatch(/（\d+%）$/)
    expect(chat.confidenceLabel(0.8)).toBe('把握较大（80%）')
    expect(chat.confidenceLabel(0.1)).toBe('把握不大（10%）')
  })

  test('hotlines in the advice get their own call buttons', () => {
    expect(chat.phoneNumbers('请马上拨打120。')).toEqual(['120'])
    expect(chat.phoneNumbers('也可以拨打心理援助热线12356。')).toEqual(['120', '12356'])
  })
})

describe('note rows', () => {
  const slots = fixture('chat_pre_consultation').note_draft.data.slots

  test('labels read as everyday or 病历 words, never as keys', () => {
    const rows = noteView.rows(slots, {})
    rows.forEach((row) => expect(row.label).not.toMatch(/^[a-z_.]+$/))
    expect(rows.find((r) => r.key === 'chief_complaint.symptom')).toMatchObject({ label: '哪里不舒服', editable: false })
    expect(rows.find((r) => r.key === 'allergy.drugs').editable).toBe(true)
  })

  test('pending edits show in place and become the API\'s edit list', () => {
    const rows = noteView.rows(slots, { 'allergy.drugs': '青霉素' })
    expect(rows.find((r) => r.key === 'allergy.drugs')).toMatchObject({ display: '青霉素', edited: true })
    expect(noteView.editList({ 'allergy.drugs': '青霉素' })).toEqual([{ key: 'allergy.drugs', value: '青霉素' }])
  })
})

describe('subscriptions', () => {
  const settings = { templates: { booked: 'T-B', reminder: 'T-R', cancelled: 'T-C', refunded: 'T-F' }, accepted: ['reminder'] }

  test('asks only for what is configured and not yet accepted, three at most', () => {
    expect(subscriptions.pending(settings, ['booked', 'reminder', 'cancelled', 'refunded'])).toEqual(['T-B', 'T-C', 'T-F'])
    expect(subscriptions.pending({ templates: { booked: '' }, accepted: [] }, ['booked'])).toEqual([])
  })

  test('sends WeChat\'s raw answer to the backend and reports the accepted kinds', async () => {
    backend.reply('PUT', '/mp/subscriptions', { ok: true })
    host.behaviour.subscribe = () => ({ 'T-B': 'accept', 'T-C': 'reject' })
    await expect(subscriptions.ask(settings, ['booked', 'cancelled'])).resolves.toEqual(['booked'])
    expect(host.log.subscribeRequests).toEqual([['T-B', 'T-C']])
    expect(backend.calls('PUT', '/mp/subscriptions')[0].body).toEqual({ results: { 'T-B': 'accept', 'T-C': 'reject' } })
  })

  test('nothing to ask: no prompt at all', async () => {
    await expect(subscriptions.ask({ templates: { reminder: 'T-R' }, accepted: ['reminder'] }, ['reminder'])).resolves.toEqual([])
    expect(host.log.subscribeRequests).toEqual([])
  })
})

describe('elderly mode and the speech hook', () => {
  test('the switch is remembered and scales the root font', () => {
    expect(display.pageData()).toEqual({ elderly: false, rootFontSize: display.ROOT_FONT.normal })
    display.setElderly(true)
    expect(display.pageData()).toEqual({ elderly: true, rootFontSize: display.ROOT_FONT.elderly })
  })

  test('replies are spoken only in elderly mode and only when a speaker is registered', async () => {
    const spoken = []
    await expect(voice.announce('您好')).resolves.toBe(false)
    voice.registerSpeaker(async (text) => { spoken.push(text) })
    await expect(voice.announce('您好')).resolves.toBe(false) // elderly mode is off
    display.setElderly(true)
    await expect(voice.announce('您好')).resolves.toBe(true)
    voice.registerSpeaker(async () => { throw new Error('audio busy') })
    await expect(voice.announce('再说一遍')).resolves.toBe(false) // a speaker failure never breaks the chat
    voice.registerSpeaker(null)
    expect(spoken).toEqual(['您好'])
  })
})
