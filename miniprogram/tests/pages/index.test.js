/** Home: the assistant entry, the journeys, the hospital, 长辈模式 and 120. */
const { page, tap, text, exists, change, fixture } = require('../support/render')
const hospitals = require('../../services/hospitals')

describe('home page', () => {
  const all = fixture('hospitals').data

  beforeEach(() => {
    backend.reply('GET', '/mp/hospitals', all)
  })

  test('shows the current hospital and the way into the assistant', async () => {
    const home = await page('pages/index/index')
    expect(text(home, '#hospital-name')).toBe(all[0].name)
    expect(text(home, '#assistant-entry')).toContain('说说哪里不舒服')
    await tap(home, '#assistant-entry')
    expect(host.log.navigations).toEqual([{ type: 'navigateTo', url: '/assistant/pages/chat/index?mode=triage' }])
  })

  test('every journey entry opens its page', async () => {
    const home = await page('pages/index/index')
    await tap(home, '#entry-book')
    await tap(home, '#entry-bookings')
    await tap(home, '#entry-profiles')
    await tap(home, '#entry-settings')
    expect(host.log.navigations.map((n) => n.url)).toEqual([
      '/booking/pages/departments/index', '/booking/pages/list/index', '/pages/profiles/index', '/pages/settings/index',
    ])
  })

  test('switching hospital is remembered for triage and booking', async () => {
    const home = await page('pages/index/index')
    await change(home, '#hospital-picker', '1')
    expect(text(home, '#hospital-name')).toBe(all[1].name)
    expect(hospitals.chosen()).toEqual({ id: all[1].id, name: all[1].name })
  })

  test('长辈模式 enlarges the whole page', async () => {
    const home = await page('pages/index/index')
    expect(home.data.rootFontSize).toBe('16px')
    await change(home, '#elderly-switch', true)
    expect(home.data).toMatchObject({ elderly: true, rootFontSize: '21px' })
    expect(home.dom.innerHTML).toMatch(/class="[^"]*page [^"]*elderly/)
  })

  test('120 is one tap away', async () => {
    const home = await page('pages/index/index')
    await tap(home, '#call-120')
    expect(host.log.calls).toEqual(['120'])
  })

  test('offline: says so and retries', async () => {
    backend.offline = 3
    const home = await page('pages/index/index')
    expect(text(home, '#load-error')).toContain('网络好像断了')
    await tap(home, '#reload')
    expect(exists(home, '#load-error')).toBe(false)
    expect(text(home, '#hospital-name')).toBe(all[0].name)
  })
})
