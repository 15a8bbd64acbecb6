/**
 * The same checks the backend makes (backend/security/identity_docs.py, schemas/account.py),
 * run before sending so a mistyped number is caught while the person is still typing. The
 * backend stays the judge; its messages are shown when it disagrees.
 */
const NAME = /^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z·• .'-]{0,48}[\u4e00-\u9fffA-Za-z.]$/
const MOBILE = /^1[3-9][0-9]{9}$/
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/** Full-width to half-width, spaces removed, upper-case (as the backend normalises). */
function clean(raw) {
  return String(raw || '')
    .replace(/[\uff01-\uff5e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, '')
    .toUpperCase()
}

function checkName(name) {
  const value = String(name || '').trim()
  if (!value) return '请填写姓名。'
  if (!NAME.test(value)) return '请填写证件上的真实姓名。'
  return null
}

/** Reads birth date and sex from an 18-character resident ID, or returns the problem. */
function parseResidentId(raw, today = new Date()) {
  const value = clean(raw)
  if (!value) return { error: '请输入身份证号码。' }
  if (value.length !== 18) return { error: '身份证号码应为18位，请核对后重新输入。' }
  if (!/^[0-9]{17}[0-9X]$/.test(value)) {
    return { error: '身份证号码只能包含数字，最后一位可以是X，请核对后重新输入。' }
  }
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(value[i]), 0)
  if (CHECK_CHARS[sum % 11] !== value[17]) return { error: '身份证号码校验不通过，请核对后重新输入。' }
  const y = Number(value.slice(6, 10))
  const m = Number(value.slice(10, 12))
  const d = Number(value.slice(12, 14))
  const birth = new Date(Date.UTC(y, m - 1, d))
  const valid = birth.getUTCFullYear() === y && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d
  if (!valid || y < 1900 || birth.getTime() > today.getTime()) {
    return { error: '身份证号码中的出生日期无效，请核对后重新输入。' }
  }
  return {
    number: value,
    birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
    sex: Number(value[16]) % 2 ? 'male' : 'female',
  }
}

function checkDocument(type, raw) {
  if (type === 'resident_id') return parseResidentId(raw).error || null
  const value = clean(raw)
  if (!value) return '请输入证件号码。'
  if (value.length < 5 || value.length > 32) return '证件号码格式不正确，请核对后重新输入。'
  return null
}

/** Optional: empty is fine; otherwise an 11-digit mainland mobile (+86 and dashes tolerated). */
function checkMobile(raw) {
  let value = clean(raw).replace(/[-()]/g, '')
  if (!value) return null
  value = value.replace(/^(\+86|0086|86)(?=\d{11}$)/, '')
  return MOBILE.test(value) ? null : '手机号码格式不正确，请输入11位手机号。'
}

module.exports = { checkName, parseResidentId, checkDocument, checkMobile, clean }
