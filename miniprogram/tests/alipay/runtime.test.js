/**
 * platform/alipay-runtime: WeChat-style definitions registered as Alipay's Page() and
 * Component(), driven here the way Alipay drives them (onLoad/onShow/onUnload for pages;
 * onInit, deriveDataFromProps, didMount, didUnmount and props for components).
 */
const runtime = require('../../platform/alipay-runtime')
const { createAlipayHost } = require('../support/alipay-host')

let registered

/** An Alipay-like instance of registered options: data, setData, props. */
function instantiate(options, props = {}) {
  const ctx = Object.create(options.methods || options)
  ctx.data = JSON.parse(JSON.stringify(options.data || {}))
  ctx.props = { ...(options.props || {}), ...props }
  ctx.setData = function setData(patch) {
    Object.assign(this.data, patch)
  }
  return ctx
}

beforeEach(() => {
  registered = null
  global.Page = (options) => { registered = options }
  global.Component = (options) => { registered = options }
})

afterEach(() => {
  delete global.Page
  delete global.Component
})

describe('pages', () => {
  test('lifetimes run in WeChat\'s order and behaviors merge first', () => {
    const order = []
    const shared = runtime.behavior({
      data: { shared: 1, own: 'from behavior' },
      lifetimes: { attached() { order.push('behavior attached') }, detached() { order.push('behavior detached') } },
      pageLifetimes: { show() { order.push('behavior show') } },
      methods: { helper() { return 'helped' } },
    })
    runtime.page({
      behaviors: [shared],
      data: { own: 'mine' },
      lifetimes: { created() { order.push('created') } },
      methods: {
        onLoad(query) { order.push(`load ${query.id}`) },
        onShow() { order.push('show') },
        onUnload() { order.push('unload') },
        tap() { return this.helper() },
      },
    })
    const page = instantiate(registered)
    expect(page.data).toEqual({ shared: 1, own: 'mine' })
    page.onLoad({ id: '7' })
    page.onShow()
    page.onUnload()
    expect(order).toEqual(['created', 'behavior attached', 'load 7', 'behavior show', 'show', 'unload', 'behavior detached'])
    expect(page.tap()).toBe('helped')
  })

  test('a page\'s properties receive the query before attached, as on WeChat', () => {
    const seen = []
    runtime.page({ properties: { booking_id: String }, lifetimes: { attached() { seen.push(this.data.booking_id) } }, methods: {} })
    const page = instantiate(registered)
    expect(page.data.booking_id).toBe('')
    page.onLoad({ booking_id: 'b-1', other: 'x' })
    expect(seen).toEqual(['b-1'])
    expect(page.data.other).toBeUndefined()
  })

  test('data observers fire on setData of their fields', () => {
    const seen = []
    runtime.page({ data: { a: 1, b: 2 }, observers: { 'a, b': (a, b) => seen.push([a, b]) }, methods: {} })
    const page = instantiate(registered)
    page.onLoad()
    page.setData({ c: 3 })
    page.setData({ b: 5 })
    expect(seen).toEqual([[1, 5]])
  })

  test('a date picker opens my.datePicker and answers the page\'s change handler', () => {
    const host = createAlipayHost({})
    global.my = host.my
    host.behaviour.pickedDate = '1950-05-18'
    const changes = []
    runtime.page({ methods: { onBirthDate(event) { changes.push(event.detail.value) } } })
    const page = instantiate(registered)
    page.onLoad()
    const currentTarget = { dataset: { fdHandler: 'onBirthDate', fdMode: 'date', fdValue: '1952-01-01', fdEnd: '2026-12-05' } }
    page.fdPickDate({ currentTarget })
    expect(host.log.datePickers[0]).toMatchObject({ format: 'yyyy-MM-dd', currentDate: '1952-01-01', endDate: '2026-12-05' })
    expect(changes).toEqual(['1950-05-18'])
    host.behaviour.pickedDate = null // the person closed the picker
    page.fdPickDate({ currentTarget })
    expect(changes).toEqual(['1950-05-18'])
  })
})

describe('components', () => {
  test('properties are props with defaults; their values land in data and observers fire once per change', () => {
    const seen = []
    runtime.component({
      properties: { profiles: { type: Array, value: [] }, selectedId: String, allowAdd: { type: Boolean, value: true } },
      data: { rows: [] },
      observers: { profiles(list) { seen.push(list.length); this.setData({ rows: list.map((p) => p.name) }) } },
      methods: {},
    })
    expect(registered.props).toEqual({ profiles: [], selectedId: '', allowAdd: true })
    const comp = instantiate(registered, { profiles: [{ name: '张伟' }], selectedId: 'p1' })
    registered.onInit.call(comp)
    registered.deriveDataFromProps.call(comp, comp.props)
    expect(comp.data).toMatchObject({ profiles: [{ name: '张伟' }], selectedId: 'p1', rows: ['张伟'], allowAdd: true })
    registered.deriveDataFromProps.call(comp, comp.props) // same props again: no observer call
    registered.deriveDataFromProps.call(comp, { ...comp.props, profiles: [{ name: '陈静' }, { name: '张子涵' }] })
    expect(seen).toEqual([1, 2])
    expect(comp.properties.rows).toEqual(['陈静', '张子涵'])
  })

  test('a host whose setData cannot be replaced still gets property observers, once', () => {
    const seen = []
    runtime.component({ properties: { trend: { type: Object, value: null } }, observers: { trend(t) { seen.push(t && t.code) } }, methods: {} })
    const comp = instantiate(registered)
    Object.defineProperty(comp, 'setData', { value: function setData(patch) { Object.assign(this.data, patch) }, writable: false })
    registered.onInit.call(comp)
    registered.deriveDataFromProps.call(comp, { trend: { code: 'HGB' } })
    expect(seen).toEqual(['HGB'])
    expect(comp.data.trend).toEqual({ code: 'HGB' })
  })

  test('triggerEvent calls the parent\'s on-prop with a WeChat-shaped event', () => {
    const received = []
    runtime.component({ properties: {}, methods: { choose() { this.triggerEvent('select', { id: 'p1' }); this.triggerEvent('row-tap') } } })
    const comp = instantiate(registered, { id: 'picker', onSelect: (e) => received.push(e), onRowTap: (e) => received.push(e) })
    registered.onInit.call(comp)
    comp.choose()
    expect(received).toEqual([
      { type: 'select', detail: { id: 'p1' }, currentTarget: { id: 'picker', dataset: {} }, target: { id: 'picker', dataset: {} } },
      { type: 'row-tap', detail: {}, currentTarget: { id: 'picker', dataset: {} }, target: { id: 'picker', dataset: {} } },
    ])
    const lonely = instantiate(registered) // nobody listens: nothing happens
    registered.onInit.call(lonely)
    expect(() => lonely.choose()).not.toThrow()
  })

  test('attached, ready and detached follow didMount and didUnmount', () => {
    const order = []
    runtime.component({ lifetimes: { attached() { order.push('attached') }, ready() { order.push('ready') }, detached() { order.push('detached') } }, methods: {} })
    const comp = instantiate(registered)
    registered.onInit.call(comp)
    registered.didMount.call(comp)
    registered.didUnmount.call(comp)
    expect(order).toEqual(['attached', 'ready', 'detached'])
  })

  test('event names map to the props the converter binds', () => {
    expect(runtime.eventProp('select')).toBe('onSelect')
    expect(runtime.eventProp('row-tap')).toBe('onRowTap')
    expect(runtime.eventProp('expire')).toBe('onExpire')
  })
})
