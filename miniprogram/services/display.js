/**
 * 长辈模式 (elderly mode), following WeChat's 适老化 guidance: larger text and buttons (the
 * whole page scales through page-meta's root font size, all sizes are rem), fewer things per
 * screen, and the assistant's replies read aloud once a speech engine is registered.
 */
const platform = require('../platform/index')

const STORAGE_KEY = 'frontdoor.elderly'
const ROOT_FONT = { normal: '16px', elderly: '21px' }
const listeners = []

function isElderly() {
  return platform.getStorage(STORAGE_KEY) === true
}

function setElderly(on) {
  platform.setStorage(STORAGE_KEY, !!on)
  listeners.slice().forEach((listener) => listener(!!on))
}

function onChange(listener) {
  listeners.push(listener)
  return () => {
    const index = listeners.indexOf(listener)
    if (index >= 0) listeners.splice(index, 1)
  }
}

/** The data every page binds: `elderly` for layout choices, `rootFontSize` for page-meta. */
function pageData() {
  const elderly = isElderly()
  return { elderly, rootFontSize: elderly ? ROOT_FONT.elderly : ROOT_FONT.normal }
}

module.exports = { isElderly, setElderly, onChange, pageData, ROOT_FONT }
