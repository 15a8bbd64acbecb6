/** The request wrapper: envelope, 401 → re-login → retry once, 5xx and offline retries. */
const { ok, fail } = require('../support/backend')
const { settle, fixture } = require('../support/render')
const api = require('../../services/api')
const http = require('../../services/http')
const errors = require('../../services/errors')
const clock = require('../../utils/clock')

describe('request wrapper', () => {
  test('unwraps {"data": ...} and sends the bearer token it logged in for', async () => {
    backend.reply('GET', '/mp/profiles', fixture('profiles').data)
    const list = await api.call('profiles.list')
    expect(list).toHaveLength(fixture('profiles').data.length)
    const [login, profiles] = backend.requests.filter((r) => !r.simulator)
    expect(login.path).toBe('/mp/auth/wechat')
    expect(login.body).toEqual({ code: 'sim-code-1' })
    expect(profiles.headers.Authorization).toBe('Bearer token-1')
  })

  test('a 401 logs in again and retries once', async () => {
    let seen = 0
    backend.on('GET', '/mp/me', () => {
      seen += 1
      return seen === 1 ? { status: 401, body: fixture('error_unauthenticated') } : ok(fixture('me').data)
    })
    const me = await api.call('me.get')
    expect(me.id).toBe(fixture('me').data.id)
    const mine = backend.calls('GET', '/mp/me')
    expect(mine.map((r) => r.headers.Authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(backend.calls('POST', '/mp/auth/wechat')).toHaveLength(2)
  })

  test('a second 401 in a row is reported, not retried forever', async () => {
    backend.on('GET', '/mp/me', () => ({ status: 401, body: fixture('error_unauthenticated') }))
    await expect(api.call('me.get')).rejects.toMatchObject({ status: 401, code: 'unauthenticated', message: '登录已失效，请重新登录。' })
    expect(backend.calls('GET', '/mp/me')).toHaveLength(2)
  })

  test('parallel requests that all get 401 share one new login', async () => {
    const firstToken = 'Bearer token-1'
    backend.on('GET', '/mp/me', (r) => (r.headers.Authorization === firstToken ? fail(401, 'unauthenticated', '登录已失效，请重新登录。') : ok(fixture('me').data)))
    backend.on('GET', '/mp/profiles', (r) => (r.headers.Authorization === firstToken ? fail(401, 'unauthenticated', '登录已失效，请重新登录。') : ok([])))
    await api.call('me.get') // logs in as token-1 … then token-2
    backend.tokens = 0 // make the next login issue token-1 again, then token-2
    require('../../services/auth').forget()
    await Promise.all([api.call('me.get'), api.call('profiles.list'), api.call('me.get')])
    expect(backend.calls('POST', '/mp/auth/wechat')).toHaveLength(4)
  })

  test('the backend\'s error envelope becomes a Chinese message with the field', async () => {
    backend.on('POST', '/mp/profiles', () => ({ status: 422, body: fixture('error_validation') }))
    const err = await api.call('profiles.create', { body: { relationship: 'child', name: '张小明', document_number: '110105201901010000' } }).catch((e) => e)
    expect(err).toBeInstanceOf(errors.ApiError)
    expect(err.message).toBe('身份证号码校验不通过，请核对后重新输入。')
    expect(errors.fieldMessages(err)).toEqual({ document_number: '身份证号码校验不通过，请核对后重新输入。' })
  })

  test('5xx on a GET is retried, then the friendly message is shown', async () => {
    backend.on('GET', '/mp/hospitals', () => ({ status: 503, body: '<html>Bad Gateway</html>' }))
    const err = await api.call('hospitals.list').catch((e) => e)
    expect(backend.calls('GET', '/mp/hospitals')).toHaveLength(3)
    expect(err).toMatchObject({ status: 503, message: '服务暂时不可用，请稍后再试。' })
  })

  test('a 500 is not retried and keeps the backend\'s request id', async () => {
    backend.on('GET', '/mp/hospitals', () => fail(500, 'internal_error', '系统开小差了，请稍后再试。'))
    const err = await api.call('hospitals.list').catch((e) => e)
    expect(backend.calls('GET', '/mp/hospitals')).toHaveLength(1)
    expect(err).toMatchObject({ code: 'internal_error', requestId: 'req-test' })
  })

  test('offline: a GET retries and recovers when the network comes back', async () => {
    backend.reply('GET', '/mp/hospitals', fixture('hospitals').data)
    backend.offline = 2
    const list = await api.call('hospitals.list')
    expect(list).toHaveLength(fixture('hospitals').data.length)
  })

  test('offline for good: a friendly network message', async () => {
    backend.offline = 10
    await expect(api.call('hospitals.list')).rejects.toMatchObject({ code: 'network_error', message: '网络好像断了，请检查网络后再试。' })
  })

  test('a booking lost to the network is retried with the same Idempotency-Key', async () => {
    backend.reply('POST', '/mp/bookings', { id: 'b1', status: 'held' }, 201)
    await api.call('me.get').catch(() => null) // log in first, so the drop hits the booking itself
    backend.offline = 1
    const booking = await api.call('bookings.create', { body: { patient_id: 'p1', slot_id: 's1' }, idempotencyKey: 'book-1' })
    expect(booking.id).toBe('b1')
    const attempts = backend.requests.filter((r) => r.method === 'POST' && (r.path === '/mp/bookings' || (r.url || '').endsWith('/mp/bookings')))
    expect(attempts).toHaveLength(2)
    expect(attempts.map((r) => r.headers['Idempotency-Key'])).toEqual(['book-1', 'book-1'])
  })

  test('a chat message lost to the network is not resent behind the person\'s back', async () => {
    await api.call('me.get').catch(() => null)
    backend.offline = 1
    await expect(api.call('conversations.send', { params: { conversation_id: 'c1' }, body: { text: '头疼' } })).rejects.toMatchObject({ code: 'network_error' })
    expect(backend.calls('POST', '/mp/conversations/{conversation_id}/messages')).toHaveLength(0)
  })

  test('idempotent endpoints refuse to go without a key', async () => {
    await expect(api.call('bookings.pay', { params: { booking_id: 'b1' }, body: { channel: 'wechat' } })).rejects.toThrow('needs an idempotencyKey')
  })

  test('only declared endpoints, path parameters, query parameters and body fields go out', async () => {
    await expect(api.call('bookings.refund')).rejects.toThrow('Unknown endpoint')
    await expect(api.call('profiles.get')).rejects.toThrow('path parameter "profile_id"')
    await expect(api.call('profiles.update', { params: { profile_id: 'p' }, body: { name: '改名' } })).rejects.toThrow('body field "name"')
    await expect(api.call('conversations.list', { query: { page: 2 } })).rejects.toThrow('query parameter "page"')
    expect(backend.requests.filter((r) => !r.simulator && r.path !== '/mp/auth/wechat')).toHaveLength(0)
  })

  test('path parameters are encoded and empty query values left out', async () => {
    backend.reply('GET', '/mp/hospitals/{hospital_id}/schedules', [])
    await api.call('hospitals.schedules', { params: { hospital_id: 'a/b' }, query: { department_id: 'd1', doctor_id: '', date_from: '2026-11-23' } })
    const [request] = backend.calls('GET', '/mp/hospitals/{hospital_id}/schedules')
    expect(request.path).toBe('/mp/hospitals/a%2Fb/schedules') // one encoded segment, not two
    expect(request.params.hospital_id).toBe('a/b')
    expect(request.query).toEqual({ department_id: 'd1', date_from: '2026-11-23' })
  })

  test('the server\'s Date header sets the clock used by countdowns', async () => {
    backend.reply('GET', '/mp/hospitals', [])
    backend.serverDate = new Date(Date.now() + 10 * 60 * 1000).toUTCString()
    await api.call('hospitals.list')
    expect(clock.now() - Date.now()).toBeGreaterThan(9 * 60 * 1000)
  })

  test('a release build without a configured backend says so instead of guessing', async () => {
    host.behaviour.envVersion = 'release'
    await expect(http.send('hospitals.list')).rejects.toMatchObject({ code: 'not_configured', message: '小程序还没有设置好服务器地址，请联系医院。' })
    expect(backend.requests).toHaveLength(0)
    await settle()
  })
})
