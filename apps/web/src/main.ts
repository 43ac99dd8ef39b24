import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { ElLoading } from 'element-plus';
import 'element-plus/dist/index.css';
import 'element-plus/theme-chalk/dark/css-vars.css';
import './styles/app.css';
import App from './App.vue';
import { createAppRouter } from './router';

const pinia = createPinia();
const app = createApp(App);
app.use(pinia);
app.use(ElLoading);
app.use(createAppRouter(pinia));
app.mount('#app');
