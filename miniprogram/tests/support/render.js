/**
 * Renders a page or component with miniprogram-simulate. Each load evaluates the page's own
 * file afresh (so its Component() registers again) while the modules it requires stay shared
 * within the test file, the way one running mini-program shares them across pages.
 */
const fs = require('fs')
const path = require('path')
const simulate = require('miniprogram-simulate')
const simulateUtils = require('miniprogram-simulate/src/utils')

const ROOT = path.resolve(__dirname, '..', '..')
const rendered = []

/** Detaches everything a test rendered, which stops page timers (countdowns, refreshes). */
function cleanup() {
  while (rendered.length) rendered.pop().detach()
}

simulateUtils.runJs = (filePath) => {
  const file = filePath.endsWith('.js') ? filePath : `${filePath}.js`
  const code = fs.readFileSync(file, 'utf8')
  const localRequire = (request) => require(request.startsWith('.') ? path.resolve(path.dirname(file), request) : request)
  const module = { exports: {} }
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', code)(localRequire, module, module.exports)
}

/** Lets queued requests, timers of 0 ms and the renders they cause run to the end. */
async function settle(rounds = 30) {
  for (let i = 0; i < rounds; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
}

function load(relativePath) {
  return simulate.load(path.join(ROOT, relativePath), { compiler: 'simulate', rootPath: ROOT })
}

/** A component, attached, with `props`. */
function component(relativePath, props) {
  const comp = simulate.render(load(relativePath), props)
  comp.attach(document.createElement('parent-wrapper'))
  rendered.push(comp)
  return comp
}

/** A page: attached, shown, loaded with `query` (as the host would), then settled. */
async function page(relativePath, query = {}) {
  const comp = simulate.render(load(relativePath))
  comp.attach(document.createElement('parent-wrapper'))
  rendered.push(comp)
  comp.triggerPageLifeTime('show')
  if (comp.instance.onLoad) comp.instance.onLoad(query)
  if (comp.instance.onShow) comp.instance.onShow()
  await settle()
  return comp
}

function $(comp, selector) {
  const found = comp.querySelector(selector)
  if (!found) throw new Error(`Nothing matches ${selector}`)
  return found
}

function exists(comp, selector) {
  return !!comp.querySelector(selector)
}

function text(comp, selector) {
  return $(comp, selector).dom.textContent.replace(/\s+/g, ' ').trim()
}

async function tap(comp, selector) {
  $(comp, selector).dispatchEvent('tap')
  await settle()
}

async function input(comp, selector, value) {
  $(comp, selector).dispatchEvent('input', { detail: { value } })
  await settle()
}

async function change(comp, selector, value) {
  $(comp, selector).dispatchEvent('change', { detail: { value } })
  await settle()
}

function fixture(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', `${name}.json`), 'utf8'))
}

module.exports = { ROOT, cleanup, settle, component, page, $, exists, text, tap, input, change, fixture }
