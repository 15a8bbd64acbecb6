/**
 * What WeChat would upload: every file of the project except what project.config.json's
 * packOptions ignores, split into the main package and each subpackage root from app.json.
 * The Alipay build starts from the same list; `node tests/support/size.js` prints the bytes.
 */
const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '..')

function ignoredBy(config) {
  const rules = (config.packOptions && config.packOptions.ignore) || []
  return (rel) => rules.some((rule) => (rule.type === 'folder' ? rel === rule.value || rel.startsWith(`${rule.value}/`) : rel === rule.value))
}

function shippedFiles() {
  const ignored = ignoredBy(JSON.parse(fs.readFileSync(path.join(ROOT, 'project.config.json'), 'utf8')))
  const out = []
  const walk = (dir) => {
    fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
      const full = path.join(dir, entry.name)
      const rel = path.relative(ROOT, full).split(path.sep).join('/')
      if (entry.name.startsWith('.') || ignored(rel)) return
      if (entry.isDirectory()) walk(full)
      else out.push({ rel, bytes: fs.statSync(full).size })
    })
  }
  walk(ROOT)
  return out
}

function packageSizes() {
  const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))
  const roots = (app.subpackages || []).map((p) => p.root.replace(/\/$/, ''))
  const sizes = { main: { bytes: 0, files: 0 } }
  roots.forEach((root) => { sizes[root] = { bytes: 0, files: 0 } })
  shippedFiles().forEach(({ rel, bytes }) => {
    const owner = roots.find((root) => rel.startsWith(`${root}/`)) || 'main'
    sizes[owner].bytes += bytes
    sizes[owner].files += 1
  })
  return sizes
}

module.exports = { packageSizes, shippedFiles }
