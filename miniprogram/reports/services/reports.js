/** 检验检查报告: the list, one report explained, one test over time. */
const { call } = require('../../services/api')
const format = require('../../utils/format')

/** How a level reads and looks (never by colour alone: each has its words). */
const LEVELS = {
  normal: { label: '正常', tone: 'ok' },
  unknown: { label: '请问医生', tone: 'plain' },
  mild: { label: '需留意', tone: 'warn' },
  marked: { label: '建议复查', tone: 'warn' },
  critical: { label: '请尽快就医', tone: 'danger' },
}

function list(patientId) {
  return call('reports.list', { query: { patient_id: patientId } })
}

function get(id) {
  return call('reports.get', { params: { report_id: id } })
}

function trend(patientId, testCode) {
  return call('reports.trend', { query: { patient_id: patientId, test_code: testCode } })
}

function level(name) {
  return LEVELS[name] || LEVELS.unknown
}

/** A report as the list and the detail header show it. */
function view(report) {
  const shown = level(report.level)
  return {
    ...report,
    levelLabel: shown.label,
    tone: shown.tone,
    when: report.reported_at ? format.dateTime(report.reported_at) : '',
    kindLabel: report.kind === 'imaging' ? '检查' : '检验',
  }
}

/** One value: its flag in words and whether the explanation is open. */
function resultView(result) {
  const shown = level(result.level)
  return {
    ...result,
    tone: shown.tone,
    flagText: result.flag_words && result.flag_words !== '正常' ? result.flag_words : '',
    open: result.level !== 'normal',
  }
}

module.exports = { list, get, trend, view, resultView, level, LEVELS }
