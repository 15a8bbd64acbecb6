/** Hospitals, departments and released clinic sessions (all public), and the chosen hospital. */
const { call } = require('./api')
const platform = require('../platform/index')

const CHOSEN_KEY = 'frontdoor.hospital'

function list() {
  return call('hospitals.list')
}

function departments(hospitalId) {
  return call('hospitals.departments', { params: { hospital_id: hospitalId } })
}

function schedules(hospitalId, query) {
  return call('hospitals.schedules', { params: { hospital_id: hospitalId }, query })
}

/** The hospital the person last chose ({id, name}), or null. */
function chosen() {
  return platform.getStorage(CHOSEN_KEY)
}

function choose(hospital) {
  platform.setStorage(CHOSEN_KEY, { id: hospital.id, name: hospital.name })
}

/** The chosen hospital, or the group's first one when none was chosen yet. */
async function current() {
  const saved = chosen()
  const all = await list()
  const match = saved && all.find((h) => h.id === saved.id)
  const hospital = match || all[0] || null
  if (hospital && !match) choose(hospital)
  return { hospital, all }
}

/** Departments grouped by category, in the hospital's own order. */
function groupByCategory(list) {
  const groups = []
  list.forEach((department) => {
    let group = groups.find((g) => g.category === department.category)
    if (!group) {
      group = { category: department.category, departments: [] }
      groups.push(group)
    }
    group.departments.push(department)
  })
  return groups
}

module.exports = { list, departments, schedules, chosen, choose, current, groupByCategory }
