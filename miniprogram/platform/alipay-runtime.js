/**
 * Runs the WeChat-style definitions of our pages and components on Alipay (Alipay build only;
 * build/alipay puts `const Component = require(…)` at the top of every page and component).
 *
 * WeChat pages are built with Component() (properties, behaviors, lifetimes, pageLifetimes,
 * observers, triggerEvent); Alipay has Page() for pages and a Component() with props,
 * deriveDataFromProps and didMount. This maps one onto the other using only long-stable Alipay
 * features, so the page logic — the part the jest suite tests — is the same code on both hosts.
 */

const LIFETIMES = ['created', 'attached', 'ready', 'detached']
const PAGE_LIFETIMES = ['show', 'hide']

/** `select` → `onSelect`, `row-tap` → `onRowTap`: the prop an Alipay parent binds a handler to. */
function eventProp(name) {
  return `on${String(name).replace(/(^|[-_:])([a-zA-Z0-9])/g, (_, sep, c) => c.toUpperCase())}`
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
}

/** Behavior() keeps the definition; behaviors are merged when the page or component is built. */
function behavior(definition) {
  return { ...definition, isBehavior: true }
}

/** Behaviors first (in order, recursively), then the definition itself, as WeChat merges them. */
function flatten(definition) {
  const spec = { properties: {}, data: {}, methods: {}, observers: {}, lifetimes: {}, pageLifetimes: {} }
  const add = (def) => {
    ;(def.behaviors || []).forEach(add)
    Object.assign(spec.properties, def.properties || {})
    Object.assign(spec.data, clone(def.data || {}))
    Object.assign(spec.methods, def.methods || {})
    Object.entries(def.observers || {}).forEach(([key, fn]) => {
      ;(spec.observers[key] = spec.observers[key] || []).push(fn)
    })
    LIFETIMES.forEach((hook) => {
      const fn = (def.lifetimes && def.lifetimes[hook]) || def[hook]
      if (fn) (spec.lifetimes[hook] = spec.lifetimes[hook] || []).push(fn)
    })
    PAGE_LIFETIMES.forEach((hook) => {
      const fn = def.pageLifetimes && def.pageLifetimes[hook]
      if (fn) (spec.pageLifetimes[hook] = spec.pageLifetimes[hook] || []).push(fn)
    })
  }
  add(definition)
  return spec
}

function defaultOf(property) {
  if (property && typeof property === 'object' && 'value' in property) return clone(property.value)
  const type = property && typeof property === 'object' ? property.type : property
  if (type === String) return ''
  if (type === Number) return 0
  if (type === Boolean) return false
  if (type === Array) return []
  return null
}

function run(list, ctx, args = []) {
  ;(list || []).forEach((fn) => fn.apply(ctx, args))
}

/** Observers of fields `patch` touched, called with the fields' current values. */
function fireObservers(ctx, spec, patch) {
  const touched = Object.keys(patch).map((key) => key.split(/[.[]/)[0])
  Object.entries(spec.observers).forEach(([key, fns]) => {
    const fields = key.split(',').map((f) => f.trim())
    if (!fields.some((f) => f === '**' || touched.indexOf(f.split('.')[0]) >= 0)) return
    const values = fields.map((f) => (f === '**' ? ctx.data : ctx.data[f.split('.')[0]]))
    fns.forEach((fn) => fn.apply(ctx, values))
  })
}

/**
 * `<picker mode="date">` has no Alipay counterpart: build/alipay turns it into a tappable view
 * naming the handler, and this opens my.datePicker and calls the handler as WeChat would.
 */
function pickDate(event) {
  const set = (event && event.currentTarget && event.currentTarget.dataset) || {}
  if (set.fdDisabled === true || set.fdDisabled === 'true') return
  const mode = set.fdMode || 'date'
  const options = { format: mode === 'time' ? 'HH:mm' : 'yyyy-MM-dd' }
  if (set.fdValue) options.currentDate = set.fdValue
  if (set.fdStart) options.startDate = set.fdStart
  if (set.fdEnd) options.endDate = set.fdEnd
  my.datePicker({
    ...options,
    success: (res) => {
      const handler = this[set.fdHandler]
      if (typeof handler === 'function' && res && res.date) {
        handler.call(this, { type: 'change', detail: { value: res.date }, currentTarget: event.currentTarget, target: event.target })
      }
    },
  })
}

/** What both wrappers give an instance: observed setData, triggerEvent, WeChat's aliases. */
function equip(ctx, spec) {
  if (ctx.fdEquipped) return
  ctx.fdEquipped = true
  const setData = ctx.setData
  const observedSetData = function observedSetData(patch, callback) {
    setData.call(this, patch, callback)
    fireObservers(this, spec, patch || {})
  }
  try {
    ctx.setData = observedSetData
  } catch (err) {
    // a host that freezes setData: props observers are still fired by deriveDataFromProps
  }
  ctx.fdObserved = ctx.setData === observedSetData
  ctx.triggerEvent = function triggerEvent(name, detail) {
    const handler = this.props && this.props[eventProp(name)]
    if (typeof handler !== 'function') return
    const node = { id: (this.props && this.props.id) || '', dataset: {} }
    handler({ type: name, detail: detail === undefined ? {} : detail, currentTarget: node, target: node })
  }
  if (typeof ctx.selectComponent !== 'function' && typeof ctx.$selectComponent === 'function') {
    ctx.selectComponent = ctx.$selectComponent
  }
  try {
    Object.defineProperty(ctx, 'properties', { get: () => ctx.data, configurable: true })
  } catch (err) {
    // already defined by the host: this.data is what WeChat's this.properties is
  }
}

/** A WeChat Component()-built page as an Alipay Page(). */
function page(definition) {
  const spec = flatten(definition)
  const methods = spec.methods
  const data = {}
  Object.entries(spec.properties).forEach(([name, property]) => { data[name] = defaultOf(property) })
  const options = { ...methods, data: { ...data, ...spec.data }, fdPickDate: pickDate }
  options.onLoad = function onLoad(query) {
    equip(this, spec)
    run(spec.lifetimes.created, this)
    // A Component()-built page's properties receive the query, as on WeChat.
    const patch = {}
    Object.keys(spec.properties).forEach((name) => {
      if (query && query[name] !== undefined) patch[name] = query[name]
    })
    if (Object.keys(patch).length) this.setData(patch)
    run(spec.lifetimes.attached, this)
    if (methods.onLoad) return methods.onLoad.call(this, query || {})
    return undefined
  }
  options.onShow = function onShow() {
    run(spec.pageLifetimes.show, this)
    if (methods.onShow) return methods.onShow.call(this)
    return undefined
  }
  options.onReady = function onReady() {
    run(spec.lifetimes.ready, this)
    if (methods.onReady) return methods.onReady.call(this)
    return undefined
  }
  options.onHide = function onHide() {
    run(spec.pageLifetimes.hide, this)
    if (methods.onHide) return methods.onHide.call(this)
    return undefined
  }
  options.onUnload = function onUnload() {
    if (methods.onUnload) methods.onUnload.call(this)
    run(spec.lifetimes.detached, this)
  }
  return Page(options)
}

/** A WeChat component as an Alipay (component2) Component(): properties are props. */
function component(definition) {
  const spec = flatten(definition)
  const names = Object.keys(spec.properties)
  const props = {}
  names.forEach((name) => { props[name] = defaultOf(spec.properties[name]) })
  return Component({
    props,
    data: { ...clone(props), ...spec.data },
    methods: { ...spec.methods, fdPickDate: pickDate },
    onInit() {
      equip(this, spec)
      run(spec.lifetimes.created, this)
    },
    // At creation and before every update: props land in data (WeChat's templates read them
    // there) and their observers fire, once per change.
    deriveDataFromProps(nextProps) {
      equip(this, spec)
      const patch = {}
      names.forEach((name) => {
        if (nextProps[name] !== undefined && nextProps[name] !== this.data[name]) patch[name] = nextProps[name]
      })
      if (!Object.keys(patch).length) return
      this.setData(patch)
      if (!this.fdObserved) fireObservers(this, spec, patch)
    },
    didMount() {
      run(spec.lifetimes.attached, this)
      run(spec.lifetimes.ready, this)
    },
    didUnmount() {
      run(spec.lifetimes.detached, this)
    },
  })
}

module.exports = { page, component, behavior, eventProp, flatten }
