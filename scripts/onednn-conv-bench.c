// Measures oneDNN (libdnnl-dev 2.6, C API) convolution forward on the TAEF2 layer shapes against the
// OpenBLAS sgemm 1024^3 peak, for the "Why not oneDNN" note in BENCHMARKS.md. Not part of the build:
//   apt-get install -y libdnnl-dev
//   gcc -O2 scripts/onednn-conv-bench.c -o /tmp/onednn-bench -I/usr/include/x86_64-linux-gnu/openblas-pthread \
//       -ldnnl -L/usr/lib/x86_64-linux-gnu/openblas-pthread -lopenblas && OMP_WAIT_POLICY=passive /tmp/onednn-bench
#include <dnnl.h>
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CHECK(x) do { dnnl_status_t s = (x); if (s != dnnl_success) { printf("fail %s: %d\n", #x, s); exit(1);} } while (0)
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static dnnl_engine_t eng; static dnnl_stream_t st;
static double sgemm_peak(void){
  int n=1024; float*a=malloc(4*n*n),*b=malloc(4*n*n),*c=malloc(4*n*n);
  for(int i=0;i<n*n;i++){a[i]=(i%7)*0.1f;b[i]=(i%5)*0.1f;}
  double best=1e9; for(int r=0;r<3;r++){double t=now(); cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,n,n,n,1,a,n,b,n,0,c,n); t=now()-t; if(t<best)best=t;}
  free(a);free(b);free(c); return 2.0*n*n*n/best/1e9;
}
static dnnl_memory_t mem(const dnnl_memory_desc_t*md){dnnl_memory_t m; CHECK(dnnl_memory_create(&m,md,eng,DNNL_MEMORY_ALLOCATE)); return m;}
static void reorder(dnnl_memory_t from, dnnl_memory_t to){
  const dnnl_memory_desc_t *a,*b; dnnl_memory_get_memory_desc(from,&a); dnnl_memory_get_memory_desc(to,&b);
  dnnl_primitive_desc_t pd; CHECK(dnnl_reorder_primitive_desc_create(&pd,a,eng,b,eng,NULL));
  dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p,pd));
  dnnl_exec_arg_t args[2]={{DNNL_ARG_FROM,from},{DNNL_ARG_TO,to}};
  CHECK(dnnl_primitive_execute(p,st,2,args)); dnnl_stream_wait(st); dnnl_primitive_destroy(p); dnnl_primitive_desc_destroy(pd);
}
static void run(const char*name,int ci,int co,int hw){
  dnnl_dims_t sd={1,ci,hw,hw}, wd={co,ci,3,3}, bd={co}, dd={1,co,hw,hw}, strides={1,1}, pad={1,1};
  dnnl_memory_desc_t s_any,w_any,b_md,d_any,s_user,d_user,w_user;
  dnnl_memory_desc_init_by_tag(&s_any,4,sd,dnnl_f32,dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&w_any,4,wd,dnnl_f32,dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&b_md,1,bd,dnnl_f32,dnnl_x);
  dnnl_memory_desc_init_by_tag(&d_any,4,dd,dnnl_f32,dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&s_user,4,sd,dnnl_f32,dnnl_nchw);
  dnnl_memory_desc_init_by_tag(&d_user,4,dd,dnnl_f32,dnnl_nchw);
  dnnl_memory_desc_init_by_tag(&w_user,4,wd,dnnl_f32,dnnl_oihw);
  dnnl_convolution_desc_t cd;
  CHECK(dnnl_convolution_forward_desc_init(&cd,dnnl_forward_inference,dnnl_convolution_direct,&s_any,&w_any,&b_md,&d_any,strides,pad,pad));
  dnnl_primitive_desc_t pd; CHECK(dnnl_primitive_desc_create(&pd,&cd,NULL,eng,NULL));
  const char*impl; dnnl_primitive_desc_query(pd,dnnl_query_impl_info_str,0,&impl);
  dnnl_memory_t su=mem(&s_user), du=mem(&d_user), wu=mem(&w_user);
  dnnl_memory_t s=mem(dnnl_primitive_desc_query_md(pd,dnnl_query_src_md,0)), w=mem(dnnl_primitive_desc_query_md(pd,dnnl_query_weights_md,0));
  dnnl_memory_t b=mem(&b_md), d=mem(dnnl_primitive_desc_query_md(pd,dnnl_query_dst_md,0));
  float*p; dnnl_memory_get_data_handle(su,(void**)&p); for(long i=0;i<(long)ci*hw*hw;i++)p[i]=(i%13)*0.01f;
  dnnl_memory_get_data_handle(wu,(void**)&p); for(long i=0;i<(long)co*ci*9;i++)p[i]=(i%11)*0.01f;
  reorder(wu,w);
  dnnl_primitive_t conv; CHECK(dnnl_primitive_create(&conv,pd));
  dnnl_exec_arg_t args[4]={{DNNL_ARG_SRC,s},{DNNL_ARG_WEIGHTS,w},{DNNL_ARG_BIAS,b},{DNNL_ARG_DST,d}};
  double flops=2.0*co*ci*9*hw*hw, best=1e9, bestR=1e9;
  int reps = hw>=256?5:(hw>=64?20:100);
  for(int r=0;r<reps;r++){ reorder(su,s); double t=now(); CHECK(dnnl_primitive_execute(conv,st,4,args)); dnnl_stream_wait(st); t=now()-t; if(t<best)best=t; }
  for(int r=0;r<reps;r++){ double t=now(); reorder(su,s); CHECK(dnnl_primitive_execute(conv,st,4,args)); dnnl_stream_wait(st); reorder(d,du); t=now()-t; if(t<bestR)bestR=t; }
  double peak=sgemm_peak();
  printf("| %s | %d^2 | %s | %.2f | %.1f | %.2f | %.1f | %.2f | %.1f |\n",name,hw,impl,best*1e3,flops/best/1e9,bestR*1e3,flops/bestR/1e9,(flops/best/1e9)/peak,peak);
  dnnl_primitive_destroy(conv); dnnl_primitive_desc_destroy(pd);
  dnnl_memory_destroy(su);dnnl_memory_destroy(du);dnnl_memory_destroy(wu);dnnl_memory_destroy(s);dnnl_memory_destroy(w);dnnl_memory_destroy(b);dnnl_memory_destroy(d);
}
int main(void){
  CHECK(dnnl_engine_create(&eng,dnnl_cpu,0)); CHECK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
  const dnnl_version_t*v=dnnl_version(); printf("oneDNN %d.%d.%d, sgemm 1024^3 (OpenBLAS) %.1f GFLOP/s\n",v->major,v->minor,v->patch,sgemm_peak());
  printf("| conv | input | oneDNN implementation | ms (blocked layout) | GFLOP/s | ms incl. NCHW reorders | GFLOP/s | ratio to sgemm (blocked) | sgemm alongside |\n|---|---|---|---|---|---|---|---|---|\n");
  run("64->64",64,64,256); run("64->64",64,64,128); run("64->64",64,64,64); run("64->64",64,64,32);
  run("3->64",3,64,256); run("64->3",64,3,256); run("64->32",64,32,32); run("32->64",32,64,32);
  return 0;
}
