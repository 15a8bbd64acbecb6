/** 健康画像: the summary the family doctor approved, in plain words, each line with its records. */
const { call } = require('../../services/api')
const format = require('../../utils/format')

function get(patientId) {
  return call('portrait.get', { query: { patient_id: patientId } })
}

/** The portrait as the page shows it: sections, each line with the dates and records behind it. */
function view(portrait) {
  return {
    version: portrait.version,
    approvedAt: format.dateTime(portrait.approved_at),
    updating: portrait.updating,
    sections: portrait.sections.map((section) => ({
      key: section.key,
      title: section.title,
      statements: section.statements.map((s) => ({
        text: s.text,
        basis: s.evidence.map((e) => `${e.date} ${e.label}`),
      })),
    })),
  }
}

module.exports = { get, view }
