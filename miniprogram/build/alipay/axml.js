/**
 * WXML → AXML. A small tokenizer (tags, attributes, comments, text) rewrites what differs and
 * copies everything else byte for byte, so the output is deterministic and readable:
 * - `wx:if|elif|else|for|for-item|for-index|key` → `a:…`; `wx:for` and `wx:if` on one element
 *   become `<block a:for>` around the element (Alipay evaluates them in another order);
 * - `bindtap` / `bind:tap` / `catchtap` → `onTap` / `catchTap` on built-in components (a table of
 *   known events: an unknown one stops the build instead of producing a dead handler);
 * - on custom components, `bind:select` → `onSelect` (the runtime's triggerEvent calls that
 *   prop) and kebab-case properties → camelCase props;
 * - `<picker mode="date|time">` → a view the runtime opens my.datePicker from;
 * - `.wxml` in import/include → `.axml`; `<wxs>` has no counterpart and stops the build.
 */
const { eventProp } = require('../../platform/alipay-runtime')

const DIRECTIVES = ['if', 'elif', 'else', 'for', 'for-item', 'for-index', 'key']

// Built-in events: WeChat's lower-case name → Alipay's camel-case suffix.
const EVENTS = {
  tap: 'Tap', longpress: 'LongTap', longtap: 'LongTap', touchstart: 'TouchStart', touchmove: 'TouchMove',
  touchend: 'TouchEnd', touchcancel: 'TouchCancel', input: 'Input', change: 'Change', confirm: 'Confirm',
  focus: 'Focus', blur: 'Blur', submit: 'Submit', reset: 'Reset', scroll: 'Scroll', scrolltoupper: 'ScrollToUpper',
  scrolltolower: 'ScrollToLower', load: 'Load', error: 'Error', linechange: 'LineChange',
  agreeprivacyauthorization: 'AgreePrivacyAuthorization',
}

class ConversionError extends Error {
  constructor(file, message) {
    super(`${file}: ${message}`)
    this.name = 'ConversionError'
  }
}

/** Splits a template into tokens: {type: 'open'|'close'|'comment'|'text', raw, …}. */
function tokenize(source, file) {
  const tokens = []
  let i = 0
  while (i < source.length) {
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i)
      if (end < 0) throw new ConversionError(file, 'unclosed comment')
      tokens.push({ type: 'comment', raw: source.slice(i, end + 3) })
      i = end + 3
    } else if (source[i] === '<') {
      let j = i + 1
      let quote = null
      while (j < source.length && (quote || source[j] !== '>')) {
        if (quote && source[j] === quote) quote = null
        else if (!quote && (source[j] === '"' || source[j] === "'")) quote = source[j]
        j += 1
      }
      if (j >= source.length) throw new ConversionError(file, `unclosed tag at offset ${i}`)
      const raw = source.slice(i, j + 1)
      if (raw[1] === '/') tokens.push({ type: 'close', raw, name: raw.slice(2, -1).trim() })
      else tokens.push(parseOpen(raw, file))
      i = j + 1
    } else {
      const next = source.indexOf('<', i)
      const end = next < 0 ? source.length : next
      tokens.push({ type: 'text', raw: source.slice(i, end) })
      i = end
    }
  }
  return tokens
}

function parseOpen(raw, file) {
  const selfClosing = /\/\s*>$/.test(raw)
  const body = raw.slice(1, selfClosing ? raw.lastIndexOf('/') : -1)
  const name = body.match(/^[\w-]+/)
  if (!name) throw new ConversionError(file, `cannot read the tag ${raw.slice(0, 40)}`)
  const attrs = []
  const pattern = /([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'))?/g
  const rest = body.slice(name[0].length)
  let match = pattern.exec(rest)
  while (match) {
    attrs.push({ name: match[1], value: match[2] === undefined ? null : match[2].slice(1, -1), quote: match[2] ? match[2][0] : '"' })
    match = pattern.exec(rest)
  }
  return { type: 'open', name: name[0], attrs, selfClosing }
}

function camel(name) {
  return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase())
}

/** `bindtap`, `bind:tap`, `catchtap`, `catch:tap`, `capture-bind:tap` → {kind, event} or null. */
function eventBinding(attr) {
  const match = attr.match(/^(capture-)?(bind|catch|mut-bind):?([\w-]+)$/)
  if (!match) return null
  return { capture: !!match[1], kind: match[2], event: match[3] }
}

function renderAttrs(attrs) {
  return attrs.map((a) => (a.value === null ? ` ${a.name}` : ` ${a.name}=${a.quote}${a.value}${a.quote}`)).join('')
}

function convertAttr(attr, tag, custom, file) {
  const { name } = attr
  if (name.startsWith('wx:')) {
    const directive = name.slice(3)
    if (DIRECTIVES.indexOf(directive) < 0) throw new ConversionError(file, `<${tag}> uses ${name}, which has no Alipay counterpart`)
    return { ...attr, name: `a:${directive}` }
  }
  const binding = eventBinding(name)
  if (binding) {
    if (binding.kind === 'mut-bind') throw new ConversionError(file, `<${tag}> uses ${name}: Alipay has no mut-bind`)
    let suffix
    if (custom) suffix = eventProp(binding.event).slice(2)
    else if (EVENTS[binding.event]) suffix = EVENTS[binding.event]
    else throw new ConversionError(file, `<${tag}> binds "${binding.event}", which build/alipay/axml.js does not know: add it to EVENTS`)
    const prefix = binding.kind === 'catch' ? 'catch' : 'on'
    return { ...attr, name: `${binding.capture ? 'capture-' : ''}${prefix}${suffix}` }
  }
  if (custom && name.indexOf('-') > 0 && !/^(data|aria)-/.test(name)) return { ...attr, name: camel(name) }
  return attr
}

/** `<picker mode="date">` → `<view onTap="fdPickDate" data-fd-…>` (see platform/alipay-runtime). */
function datePicker(token, file) {
  const get = (n) => token.attrs.find((a) => a.name === n)
  const change = token.attrs.find((a) => {
    const b = eventBinding(a.name)
    return b && b.event === 'change'
  })
  if (!change) throw new ConversionError(file, '<picker mode="date"> without bindchange cannot be converted')
  const keep = token.attrs.filter((a) => ['id', 'class', 'style'].indexOf(a.name) >= 0 || /^(data|aria)-/.test(a.name) || a.name.startsWith('wx:'))
  const data = [['fd-handler', change.value], ['fd-mode', get('mode').value], ['fd-value', get('value')], ['fd-start', get('start')], ['fd-end', get('end')], ['fd-disabled', get('disabled')]]
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([n, v]) => ({ name: `data-${n}`, value: typeof v === 'string' ? v : v.value, quote: '"' }))
  return { ...token, name: 'view', attrs: keep.concat(data, [{ name: 'onTap', value: 'fdPickDate', quote: '"' }]) }
}

/**
 * Converts one template. `components` are the custom tags its json declares (usingComponents).
 * Returns the AXML text.
 */
function convert(source, { file = 'template', components = [] } = {}) {
  const tokens = tokenize(source, file)
  const stack = [] // open elements: {name, wrapped, renamed}
  const out = []
  tokens.forEach((token) => {
    if (token.type === 'text' || token.type === 'comment') {
      out.push(token.raw)
      return
    }
    if (token.type === 'close') {
      const open = stack.pop()
      if (!open || open.name !== token.name) throw new ConversionError(file, `</${token.name}> does not close <${open ? open.name : 'nothing'}>`)
      out.push(`</${open.renamed || token.name}>${open.wrapped ? '</block>' : ''}`)
      return
    }
    if (token.name === 'wxs') throw new ConversionError(file, '<wxs> has no Alipay counterpart here: move the logic into the page\'s js')
    let element = token
    const mode = token.attrs.find((a) => a.name === 'mode')
    if (token.name === 'picker' && mode && mode.value !== 'selector') {
      if (mode.value !== 'date' && mode.value !== 'time') throw new ConversionError(file, `<picker mode="${mode.value}"> has no Alipay counterpart`)
      element = datePicker(token, file)
    }
    const custom = components.indexOf(token.name) >= 0
    let attrs = element.attrs.map((a) => convertAttr(a, token.name, custom, file))
    if ((token.name === 'import' || token.name === 'include')) {
      attrs = attrs.map((a) => (a.name === 'src' ? { ...a, value: a.value.replace(/\.wxml$/, '.axml') } : a))
    }
    const forAttrs = attrs.filter((a) => /^a:(for|for-item|for-index|key)$/.test(a.name))
    const wrap = attrs.some((a) => a.name === 'a:for') && attrs.some((a) => /^a:(if|elif|else)$/.test(a.name))
    let prefix = ''
    if (wrap) {
      prefix = `<block${renderAttrs(forAttrs)}>`
      attrs = attrs.filter((a) => forAttrs.indexOf(a) < 0)
    }
    const tag = `${prefix}<${element.name}${renderAttrs(attrs)}${token.selfClosing ? ' />' : '>'}`
    if (token.selfClosing) out.push(`${tag}${wrap ? '</block>' : ''}`)
    else {
      out.push(tag)
      stack.push({ name: token.name, wrapped: wrap, renamed: element.name !== token.name ? element.name : null })
    }
  })
  if (stack.length) throw new ConversionError(file, `<${stack[stack.length - 1].name}> is never closed`)
  return out.join('')
}

module.exports = { convert, tokenize, ConversionError, EVENTS }
