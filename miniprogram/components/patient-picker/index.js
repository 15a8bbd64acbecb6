/**
 * Choose a 就诊人: one big row per person, relationship spelled out. The parent passes the
 * profiles (already loaded) and hears `select` with the chosen one, or `add` for a new one.
 */
const profiles = require('../../services/profiles')

Component({
  options: { addGlobalClass: true },
  properties: {
    profiles: { type: Array, value: [] },
    selectedId: { type: String, value: '' },
    allowAdd: { type: Boolean, value: true },
  },
  data: { rows: [] },
  observers: {
    profiles(list) {
      this.setData({ rows: (list || []).map(profiles.view) })
    },
  },
  methods: {
    onSelect(event) {
      const profile = this.data.rows.find((p) => p.id === event.currentTarget.dataset.id)
      if (profile) this.triggerEvent('select', { profile })
    },
    onAdd() {
      this.triggerEvent('add')
    },
  },
})
