import { render } from '@create-figma-plugin/ui'
import { PluginRoot } from './ui/plugin-root'

export default render(PluginRoot)
