/**
 * 长辈模式 (elderly mode), following WeChat's and Alipay's 适老化 guidance: larger text and
 * buttons (the whole page scales through page-meta's root font size, all sizes are rem), fewer
 * things per screen, and the assistant's replies read aloud once a speech engine is registered.
 * Until the person chooses in settings, it follows the phone: a host font set large (WeChat's
 * 字体大小, Alipay's 字体大小 or its own 长辈模式) turns it on.
 */
const platform = require('../platform/index')

const STORAGE_KEY = 'frontdoor.elderly'
const ROOT_FONT = { normal: '16px', elderly: '21px' }
const LARGE_HOST_FONT_PX = 20 // the hosts' standard size is 16-17px; 20px and up is a large setting
const listeners = []

function isElderly() {
  const chosen = platform.getStorage(STORAGE_KEY)
  if (chosen === true || chosen === false) return chosen
  const { fontSizeSetting } = platform.systemInfo()
  return !!fontSizeSetting && fontSizeSetting >= LARGE_HOST_FONT_PX
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

module.exports = { isElderly, setElderly, onChange, pageData, ROOT_FONT, LARGE_HOST_FONT_PX }
