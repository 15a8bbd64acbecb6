/** Settings: 长辈模式, privacy policy, logout. */
const { page, tap, change, exists } = require('../support/render')
const auth = require('../../services/auth')
const display = require('../../services/display')

describe('settings page', () => {
  test('the elderly switch changes every page at once', async () => {
    const settings = await page('pages/settings/index')
    await change(settings, '#elderly-switch', true)
    expect(display.isElderly()).toBe(true)
    expect(settings.data.rootFontSize).toBe(display.ROOT_FONT.elderly)
    expect(exists(settings, '#voice-status')).toBe(false) // no speech engine yet: nothing promised
  })

  test('opens the privacy policy to read', async () => {
    const settings = await page('pages/settings/index')
    await tap(settings, '#privacy')
    expect(host.log.navigations).toEqual([{ type: 'navigateTo', url: '/pages/consent/index?mode=read' }])
  })

  test('logout revokes the token, forgets it and starts over at home', async () => {
    host.storage.set(auth.STORAGE_KEY, { token: 'token-9', expires_at: '2099-01-01T00:00:00Z' })
    backend.reply('POST', '/mp/auth/logout', { ok: true })
    const settings = await page('pages/settings/index')
    await tap(settings, '#logout')
    expect(backend.calls('POST', '/mp/auth/logout')[0].headers.Authorization).toBe('Bearer token-9')
    expect(host.storage.has(auth.STORAGE_KEY)).toBe(false)
    expect(host.log.navigations).toEqual([{ type: 'reLaunch', url: '/pages/index/index' }])
  })
})

describe('logout without a session', () => {
  test('does not log in just to log out', async () => {
    const settings = await page('pages/settings/index')
    await tap(settings, '#logout')
    expect(backend.requests).toHaveLength(0)
    expect(host.log.navigations).toEqual([{ type: 'reLaunch', url: '/pages/index/index' }])
  })
})

describe.each(require('../support/alipay-host').HOSTS)('长辈模式 on %s follows the phone until the person chooses', (kind) => {
  beforeEach(() => require('../support/alipay-host').useHost(kind))

  test('a large host font turns it on; the person\'s own choice then wins', async () => {
    host.behaviour.fontSizeSetting = 22
    const settings = await page('pages/settings/index')
    expect(settings.data.elderly).toBe(true)
    expect(settings.data.rootFontSize).toBe(display.ROOT_FONT.elderly)
    await change(settings, '#elderly-switch', false)
    expect(display.isElderly()).toBe(false)
    host.behaviour.fontSizeSetting = 26
    expect(display.isElderly()).toBe(false)
  })

  test('the standard host font leaves it off', async () => {
    const settings = await page('pages/settings/index')
    expect(settings.data.elderly).toBe(false)
    expect(settings.data.rootFontSize).toBe(display.ROOT_FONT.normal)
  })
})
