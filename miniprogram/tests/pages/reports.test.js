/** 我的报告: the list, a report explained (critical banner, corrections, imaging), the trend. */
const { page, tap, text, exists, fixture } = require('../support/render')
const display = require('../../services/display')
const chart = require('../../reports/services/chart')

const reports = fixture('reports').data
const byTitle = (title) => reports.find((r) => r.title === title)
const self = fixture('profiles').data.find((p) => p.relationship === 'self')

function reply(name) {
  backend.reply('GET', '/mp/reports/{report_id}', fixture(name).data)
}

function indexOf(detail, code) {
  return detail.data.results.findIndex((r) => r.code === code)
}

describe('the list', () => {
  beforeEach(() => {
    backend.reply('GET', '/mp/profiles', fixture('profiles').data)
    backend.reply('GET', '/mp/reports', reports)
  })

  test('the self 就诊人 first, each report with its meaning, marks and a way in', async () => {
    const list = await page('reports/pages/list/index')
    expect(backend.calls('GET', '/mp/reports')[0].query).toEqual({ patient_id: self.id })
    expect(text(list, '#who')).toContain(self.name)
    const critical = byTitle('电解质')
    expect(text(list, `#report-${critical.id}`)).toContain('请尽快就医')
    expect(exists(list, `#critical-${critical.id}`)).toBe(true)
    const corrected = byTitle('血脂四项')
    expect(text(list, `#corrected-${corrected.id}`)).toBe('已更正')
    expect(text(list, `#report-${corrected.id}`)).toContain('报告已更正')
    await tap(list, `#report-${critical.id}`)
    expect(host.log.navigations[0].url).toBe(`/reports/pages/detail/index?report_id=${critical.id}&patient_id=${self.id}`)
  })

  test('another 就诊人 is one tap away', async () => {
    const list = await page('reports/pages/list/index')
    await tap(list, '#who')
    const other = fixture('profiles').data.find((p) => p.relationship !== 'self')
    await tap(list.querySelector('#picker'), `#person-${other.id}`)
    const calls = backend.calls('GET', '/mp/reports')
    expect(calls[calls.length - 1].query).toEqual({ patient_id: other.id })
  })

  test('none yet says when they will come', async () => {
    backend.reply('GET', '/mp/reports', [])
    const list = await page('reports/pages/list/index')
    expect(text(list, '#empty')).toContain('医院出报告后')
  })

  test('elderly mode scales the page', async () => {
    display.setElderly(true)
    const list = await page('reports/pages/list/index')
    expect(list.data).toMatchObject({ elderly: true, rootFontSize: '21px' })
    expect(list.dom.innerHTML).toMatch(/class="[^"]*page [^"]*elderly/)
    display.setElderly(false)
  })
})

describe('a report', () => {
  test('a blood count: the low value in words, its basis, and its trend', async () => {
    reply('report_cbc')
    const detail = await page('reports/pages/detail/index', { report_id: 'r1', patient_id: self.id })
    const hgb = indexOf(detail, 'HGB')
    expect(text(detail, `#flag-${hgb}`)).toBe('偏低')
    expect(text(detail, `#explain-${hgb}`)).toContain('贫血')
    expect(text(detail, `#explain-${hgb}`)).toContain('依据：您的结果：126 g/L')
    const wbc = indexOf(detail, 'WBC')
    expect(exists(detail, `#explain-${wbc}`)).toBe(false) // a normal value stays folded
    await tap(detail, `#toggle-${wbc}`)
    expect(text(detail, `#explain-${wbc}`)).toContain('白细胞')
    await tap(detail, `#trend-${hgb}`)
    expect(host.log.navigations[0].url).toBe(`/reports/pages/trend/index?patient_id=${self.id}&test_code=HGB`)
    expect(exists(detail, '#critical-banner')).toBe(false)
  })

  test('a critical value: the banner first, the hospital and 120 at hand', async () => {
    reply('report_critical')
    const detail = await page('reports/pages/detail/index', { report_id: 'r2', patient_id: self.id })
    expect(text(detail, '#critical-banner')).toContain('请尽快与医院联系或到急诊科就诊')
    const phone = fixture('report_critical').data.hospital_phone
    expect(phone).toBeTruthy()
    await tap(detail, '#call-hospital')
    await tap(detail, '#call-120')
    expect(host.log.calls).toEqual([phone, '120'])
    expect(text(detail, `#flag-${indexOf(detail, 'K')}`)).toBe('明显偏高')
  })

  test('a corrected report says so, and what the value was', async () => {
    reply('report_corrected')
    const detail = await page('reports/pages/detail/index', { report_id: 'r3', patient_id: self.id })
    expect(text(detail, '#corrected-banner')).toContain('报告已更正')
    expect(text(detail, `#corrected-${indexOf(detail, 'LDL-C')}`)).toBe('已更正（原来是 3.8）')
  })

  test('an imaging report: each sentence of the 诊断意见 in plain words', async () => {
    reply('report_ct')
    const detail = await page('reports/pages/detail/index', { report_id: 'r4', patient_id: self.id })
    expect(text(detail, '#sentence-0')).toContain('Lung-RADS 2类')
    expect(text(detail, '#sentence-0')).toContain('12个月后再做一次低剂量CT')
    expect(text(detail, '#sentence-1')).toContain('大血管壁变硬了')
    expect(text(detail, '#findings')).toContain('磨玻璃')
  })

  test('someone else\'s report: the backend\'s words', async () => {
    backend.on('GET', '/mp/reports/{report_id}', () => ({ status: 404, body: { error: { code: 'not_found', message: '没有找到这份报告。', request_id: 'x' } } }))
    const detail = await page('reports/pages/detail/index', { report_id: 'nope', patient_id: self.id })
    expect(text(detail, '#error')).toContain('没有找到这份报告')
  })
})

describe('the trend', () => {
  test('drawn on the canvas with its band, and the same values in a table', async () => {
    backend.reply('GET', '/mp/reports/trend', fixture('report_trend').data)
    const trend = await page('reports/pages/trend/index', { patient_id: self.id, test_code: 'HGB' })
    expect(backend.calls('GET', '/mp/reports/trend')[0].query).toEqual({ patient_id: self.id, test_code: 'HGB' })
    expect(text(trend, '#band')).toContain('参考范围 130～175 g/L')
    expect(text(trend, '#words')).toBe('最近几次结果变化不大。')
    expect(text(trend, '#point-0')).toContain('126 g/L')
    expect(text(trend, '#point-0')).toContain('偏低')
    const ops = host.log.canvas.map((op) => op[0])
    expect(ops).toContain('fillRect') // the reference band
    expect(ops.filter((op) => op === 'arc')).toHaveLength(2)
  })

  test('the geometry puts values inside the box and the band where it belongs', () => {
    const shape = chart.geometry(fixture('report_trend').data, 320, 192)
    const [older, newer] = shape.points
    expect(older.x).toBeLessThan(newer.x)
    expect(newer.y).toBeGreaterThan(older.y) // 126 is lower than 131: drawn lower
    expect(newer.low).toBe(true)
    expect(shape.band.top).toBeLessThan(shape.band.bottom)
    shape.points.forEach((p) => {
      expect(p.y).toBeGreaterThanOrEqual(0)
      expect(p.y).toBeLessThanOrEqual(192)
    })
  })
})
