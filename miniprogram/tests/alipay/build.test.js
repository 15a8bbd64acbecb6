/**
 * The Alipay build as a whole, built afresh into a temporary folder: every page of the WeChat
 * app.json is there with its four files, no WeChat syntax or wx. call is left, the packages stay
 * under Alipay's 2 MB, every handler a template names exists on its page or component, and the
 * same source always gives the same bytes.
 */
const fs = require('fs')
const os = require('os')
const path = require('path')
const { build, convertProject, pagesOf } = require('../../build/alipay')
const { createAlipayHost } = require('../support/alipay-host')
const { FakeBackend } = require('../support/backend')
const app = require('../../app.json')

const LIMIT = 2 * 1024 * 1024 // Alipay refuses a main package (or a subpackage) over 2 MB
let out
let files

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-build-'))
  files = build(out)
})

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true })
})

const pages = pagesOf(app)
const read = (rel) => fs.readFileSync(path.join(out, rel), 'utf8')

function walk(dir, list = []) {
  fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, list)
    else list.push(path.relative(out, full).split(path.sep).join('/'))
  })
  return list
}

describe('every page of app.json', () => {
  test.each(pages)('%s has its js, json, axml and acss', (page) => {
    ['js', 'json', 'axml', 'acss'].forEach((ext) => expect(fs.existsSync(path.join(out, `${page}.${ext}`))).toBe(true))
  })

  test('the Alipay app.json lists exactly the same pages, with Alipay\'s keys', () => {
    const alipayApp = JSON.parse(read('app.json'))
    expect(pagesOf(alipayApp)).toEqual(pages)
    expect(alipayApp.subpackages).toBeUndefined()
    expect(alipayApp.window.defaultTitle).toBe(app.window.navigationBarTitleText)
    expect(alipayApp.usePrivacyCheck).toBe(true)
    expect(alipayApp.behavior).toEqual({ decodeQuery: 'disable' }) // onLoad gets the query as on WeChat
    expect(JSON.parse(read('mini.project.json')).compileOptions.component2).toBe(true)
  })

  test.each(pages)('%s keeps its WeChat title and its components exist with four files', (page) => {
    const wechat = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', `${page}.json`), 'utf8'))
    const alipay = JSON.parse(read(`${page}.json`))
    expect(alipay.defaultTitle).toBe(wechat.navigationBarTitleText)
    Object.values(alipay.usingComponents || {}).forEach((ref) => {
      const target = ref.startsWith('/') ? ref.slice(1) : path.posix.join(path.posix.dirname(page), ref)
      ;['js', 'json', 'axml', 'acss'].forEach((ext) => expect(fs.existsSync(path.join(out, `${target}.${ext}`))).toBe(true))
    })
  })
})

describe('nothing of WeChat is left', () => {
  test('no wx:, bind or catch syntax in any template, no .wxml/.wxss file', () => {
    const all = walk(out)
    expect(all.filter((f) => /\.(wxml|wxss)$/.test(f))).toEqual([])
    const offenders = all.filter((f) => f.endsWith('.axml')).filter((f) => /\swx:|\s(capture-)?(bind|catch):?[a-z]+=/.test(read(f)))
    expect(offenders).toEqual([])
  })

  test('no wx. call in any script; the WeChat adapter and project files are not shipped', () => {
    const all = walk(out)
    const offenders = all.filter((f) => f.endsWith('.js'))
      .filter((f) => /(^|[^\w.$])wx\.[a-zA-Z]/m.test(read(f).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
    expect(offenders).toEqual([])
    expect(all).not.toContain('platform/wechat.js')
    expect(all).not.toContain('project.config.json')
    expect(read('platform/index.js')).toContain("require('./alipay')")
  })

  test('no tests, build scripts, node_modules or npm files are shipped', () => {
    expect(walk(out).filter((f) => /^(tests|build|dist|node_modules)\/|^package(-lock)?\.json$|^jest\.config\.js$/.test(f))).toEqual([])
  })
})

describe('size', () => {
  test('the main package and every subpackage stay under 2 MB', () => {
    const roots = JSON.parse(read('app.json')).subPackages.map((p) => p.root)
    const sizes = { main: 0 }
    walk(out).forEach((f) => {
      const owner = roots.find((root) => f.startsWith(`${root}/`)) || 'main'
      sizes[owner] = (sizes[owner] || 0) + fs.statSync(path.join(out, f)).size
    })
    Object.values(sizes).forEach((bytes) => expect(bytes).toBeLessThan(LIMIT))
    expect(sizes.main).toBeLessThan(LIMIT / 4) // and far from it
  })
})

describe('determinism', () => {
  test('the same source gives the same files, byte for byte', () => {
    expect(convertProject()).toEqual(files)
  })
})

/** Loads a built module the way Alipay would: its own requires, the globals Page/Component/my. */
function loadBuilt(rel, globals) {
  const cache = {}
  const load = (file) => {
    if (cache[file]) return cache[file].exports
    const module = { exports: {} }
    cache[file] = module
    const dir = path.dirname(file)
    const localRequire = (request) => load(path.resolve(dir, request.endsWith('.js') || request.endsWith('.json') ? request : `${request}.js`))
    if (file.endsWith('.json')) module.exports = JSON.parse(fs.readFileSync(file, 'utf8'))
    // eslint-disable-next-line no-new-func
    else new Function('require', 'module', 'exports', 'Page', 'Component', 'my', 'getApp', fs.readFileSync(file, 'utf8'))(localRequire, module, module.exports, globals.Page, globals.Component, globals.my, () => ({}))
    return module.exports
  }
  return load(path.join(out, rel))
}

/** Handler names a template binds: onTap="x", catchTap="x", onSelect="x" on components. */
function handlers(axml) {
  const found = new Set()
  const pattern = /\s(?:capture-)?(?:on|catch)[A-Z]\w*="([^"{}]+)"/g
  let match = pattern.exec(axml)
  while (match) {
    found.add(match[1])
    match = pattern.exec(axml)
  }
  return [...found]
}

describe('every handler a template names exists', () => {
  const host = () => createAlipayHost({ backend: new FakeBackend() }).my

  test.each(pages)('%s registers a Page with each handler its axml binds', (page) => {
    let registered = null
    loadBuilt(`${page}.js`, { Page: (options) => { registered = options }, Component: () => null, my: host() })
    expect(registered).not.toBeNull()
    const missing = handlers(read(`${page}.axml`)).filter((name) => typeof registered[name] !== 'function')
    expect(missing).toEqual([])
  })

  test('every component registers a Component whose methods answer its axml', () => {
    const components = Object.keys(files).filter((f) => f.endsWith('.json') && f !== 'app.json' && JSON.parse(files[f]).component === true)
    expect(components.length).toBeGreaterThan(0)
    components.forEach((json) => {
      const base = json.replace(/\.json$/, '')
      let registered = null
      loadBuilt(`${base}.js`, { Page: () => null, Component: (options) => { registered = options }, my: host() })
      expect(registered).not.toBeNull()
      const missing = handlers(read(`${base}.axml`)).filter((name) => typeof registered.methods[name] !== 'function')
      expect([base, missing]).toEqual([base, []])
    })
  })
})
