// Fused PaiNN edge kernels (CPU): messages and their first backward pass, one pass over
// the pairs of a block, never materialising per-pair message tensors.
//
// Notation as in cgexplain/potentials/fast_painn.py (Schuett, Unke & Gastegger, ICML 2021,
// Eqs. 7-8): per directed pair i <- j with filter w (3F) and unit direction r (3),
//   m = w * x_j = [m^q, m^R, m^mu],
//   dq_i += m^q,   dmu_i[c] += m^R r[c] + m^mu mu_j[c].
// A half list sends each pair both ways: i <- j with +r, then j <- i with -r, same w.
//
// Backward, with G = dL/d(dq) (N, F), H = dL/d(dmu) (N, 3, F):
//   gm = [G_i, sum_c H_i[c] r[c], sum_c H_i[c] mu_j[c]],
//   dL/dx_j += gm * w,  dL/dw += gm * x_j,  dL/dmu_j[c] += H_i[c] m^mu,
//   dL/dr[c] += H_i[c] . m^R  (with the sign of the direction for the reverse pair).
//
// All tensors contiguous, on the CPU, one floating dtype; indices int64. Outputs are
// accumulated into the tensors passed in (zeroed by the caller), so the Python side can
// run a list in blocks. Single-threaded: pairs scatter into bead rows.
#include <torch/extension.h>

#include <vector>

namespace {

void check(const torch::Tensor& t, const char* name) {
  TORCH_CHECK(t.device().is_cpu(), name, " must be on the CPU");
  TORCH_CHECK(t.is_contiguous(), name, " must be contiguous");
}

template <typename T>
void send_forward(const T* w, const T* xj, const T* muj, const T r[3], T* dqi, T* dmui,
                  int64_t F) {
  for (int64_t f = 0; f < F; ++f) dqi[f] += w[f] * xj[f];
  for (int64_t c = 0; c < 3; ++c) {
    T* out = dmui + c * F;
    const T* mu = muj + c * F;
    const T rc = r[c];
    for (int64_t f = 0; f < F; ++f)
      out[f] += w[F + f] * xj[F + f] * rc + w[2 * F + f] * xj[2 * F + f] * mu[f];
  }
}

template <typename T>
void send_backward(const T* w, const T* xj, const T* muj, const T r[3], const T* Gi,
                   const T* Hi, T* gxj, T* gmuj, T* gw, T* gdir, T* buf, int64_t F) {
  // buf: 2F scratch (sum_c H_i[c] r[c], sum_c H_i[c] mu_j[c])
  T* hr = buf;
  T* hm = buf + F;
  for (int64_t f = 0; f < F; ++f) {
    hr[f] = Hi[f] * r[0] + Hi[F + f] * r[1] + Hi[2 * F + f] * r[2];
    hm[f] = Hi[f] * muj[f] + Hi[F + f] * muj[F + f] + Hi[2 * F + f] * muj[2 * F + f];
  }
  for (int64_t f = 0; f < F; ++f) {
    gxj[f] += Gi[f] * w[f];
    gxj[F + f] += hr[f] * w[F + f];
    gxj[2 * F + f] += hm[f] * w[2 * F + f];
    gw[f] += Gi[f] * xj[f];
    gw[F + f] += hr[f] * xj[F + f];
    gw[2 * F + f] += hm[f] * xj[2 * F + f];
  }
  for (int64_t c = 0; c < 3; ++c) {
    const T* h = Hi + c * F;
    T* gmu = gmuj + c * F;
    T acc = 0;
    for (int64_t f = 0; f < F; ++f) {
      acc += h[f] * (w[F + f] * xj[F + f]);
      gmu[f] += h[f] * (w[2 * F + f] * xj[2 * F + f]);
    }
    gdir[c] += acc;
  }
}

void check_block(const torch::Tensor& x, const torch::Tensor& mu, const torch::Tensor& w,
                 const torch::Tensor& r, const torch::Tensor& idx_i,
                 const torch::Tensor& idx_j) {
  check(x, "x");
  check(mu, "mu");
  check(w, "w");
  check(r, "direction");
  check(idx_i, "idx_i");
  check(idx_j, "idx_j");
  const int64_t N = mu.size(0), F = mu.size(2), P = w.size(0);
  TORCH_CHECK(mu.dim() == 3 && mu.size(1) == 3, "mu must be (N, 3, F)");
  TORCH_CHECK(x.dim() == 2 && x.size(0) == N && x.size(1) == 3 * F, "x must be (N, 3F)");
  TORCH_CHECK(w.dim() == 2 && w.size(1) == 3 * F, "w must be (P, 3F)");
  TORCH_CHECK(r.dim() == 2 && r.size(0) == P && r.size(1) == 3, "direction must be (P, 3)");
  TORCH_CHECK(idx_i.scalar_type() == torch::kLong && idx_j.scalar_type() == torch::kLong,
              "indices must be int64");
  TORCH_CHECK(idx_i.numel() == P && idx_j.numel() == P, "indices must be (P,)");
  TORCH_CHECK(x.scalar_type() == mu.scalar_type() && x.scalar_type() == w.scalar_type() &&
                  x.scalar_type() == r.scalar_type(),
              "x, mu, w and direction must share one dtype");
  if (P > 0) {
    const auto lo = std::min(idx_i.min().item<int64_t>(), idx_j.min().item<int64_t>());
    const auto hi = std::max(idx_i.max().item<int64_t>(), idx_j.max().item<int64_t>());
    TORCH_CHECK(lo >= 0 && hi < N, "pair index out of range [0, ", N, ")");
  }
}

// dq (N, F) and dmu (N, 3, F) += messages of the P pairs (both ways if half).
void message_forward(torch::Tensor x, torch::Tensor mu, torch::Tensor w, torch::Tensor r,
                     torch::Tensor idx_i, torch::Tensor idx_j, bool half, torch::Tensor dq,
                     torch::Tensor dmu) {
  check_block(x, mu, w, r, idx_i, idx_j);
  check(dq, "dq");
  check(dmu, "dmu");
  TORCH_CHECK(dq.sizes() == torch::IntArrayRef({mu.size(0), mu.size(2)}), "dq must be (N, F)");
  TORCH_CHECK(dmu.sizes() == mu.sizes(), "dmu must be (N, 3, F)");
  const int64_t F = mu.size(2), P = w.size(0);
  const int64_t* ii = idx_i.data_ptr<int64_t>();
  const int64_t* jj = idx_j.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "painn_message_forward", [&] {
    using T = scalar_t;
    const T* X = x.data_ptr<T>();
    const T* M = mu.data_ptr<T>();
    const T* W = w.data_ptr<T>();
    const T* R = r.data_ptr<T>();
    T* DQ = dq.data_ptr<T>();
    T* DM = dmu.data_ptr<T>();
    for (int64_t p = 0; p < P; ++p) {
      const int64_t i = ii[p], j = jj[p];
      const T fwd[3] = {R[3 * p], R[3 * p + 1], R[3 * p + 2]};
      send_forward<T>(W + p * 3 * F, X + j * 3 * F, M + j * 3 * F, fwd, DQ + i * F,
                      DM + i * 3 * F, F);
      if (half) {
        const T rev[3] = {-fwd[0], -fwd[1], -fwd[2]};
        send_forward<T>(W + p * 3 * F, X + i * 3 * F, M + i * 3 * F, rev, DQ + j * F,
                        DM + j * 3 * F, F);
      }
    }
  });
}

// gx (N, 3F), gmu (N, 3, F) += ; gw (P, 3F), gdir (P, 3) += (both directions if half).
void message_backward(torch::Tensor G, torch::Tensor H, torch::Tensor x, torch::Tensor mu,
                      torch::Tensor w, torch::Tensor r, torch::Tensor idx_i,
                      torch::Tensor idx_j, bool half, torch::Tensor gx, torch::Tensor gmu,
                      torch::Tensor gw, torch::Tensor gdir) {
  check_block(x, mu, w, r, idx_i, idx_j);
  for (auto* t : {&G, &H, &gx, &gmu, &gw, &gdir}) check(*t, "gradient");
  TORCH_CHECK(G.sizes() == torch::IntArrayRef({mu.size(0), mu.size(2)}), "G must be (N, F)");
  TORCH_CHECK(H.sizes() == mu.sizes() && gmu.sizes() == mu.sizes(), "H, gmu must be (N, 3, F)");
  TORCH_CHECK(gx.sizes() == x.sizes() && gw.sizes() == w.sizes() && gdir.sizes() == r.sizes(),
              "gx, gw, gdir must match x, w, direction");
  const int64_t F = mu.size(2), P = w.size(0);
  const int64_t* ii = idx_i.data_ptr<int64_t>();
  const int64_t* jj = idx_j.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "painn_message_backward", [&] {
    using T = scalar_t;
    std::vector<T> buf(2 * F);
    const T* X = x.data_ptr<T>();
    const T* M = mu.data_ptr<T>();
    const T* W = w.data_ptr<T>();
    const T* R = r.data_ptr<T>();
    const T* GQ = G.data_ptr<T>();
    const T* HM = H.data_ptr<T>();
    T* GX = gx.data_ptr<T>();
    T* GM = gmu.data_ptr<T>();
    T* GW = gw.data_ptr<T>();
    T* GD = gdir.data_ptr<T>();
    for (int64_t p = 0; p < P; ++p) {
      const int64_t i = ii[p], j = jj[p];
      const T fwd[3] = {R[3 * p], R[3 * p + 1], R[3 * p + 2]};
      send_backward<T>(W + p * 3 * F, X + j * 3 * F, M + j * 3 * F, fwd, GQ + i * F,
                       HM + i * 3 * F, GX + j * 3 * F, GM + j * 3 * F, GW + p * 3 * F,
                       GD + 3 * p, buf.data(), F);
      if (half) {
        const T rev[3] = {-fwd[0], -fwd[1], -fwd[2]};
        T back[3] = {0, 0, 0};
        send_backward<T>(W + p * 3 * F, X + i * 3 * F, M + i * 3 * F, rev, GQ + j * F,
                         HM + j * 3 * F, GX + i * 3 * F, GM + i * 3 * F, GW + p * 3 * F,
                         back, buf.data(), F);
        for (int c = 0; c < 3; ++c) GD[3 * p + c] -= back[c];  // d(-r)/dr = -1
      }
    }
  });
}

// Double backward of one directed pair (see _MessageGrad in fast_painn.py): with the
// tangents xdot_j (3F), mudot_j (3, F), u of w (3F) and rdot (3) of the first backward's
// inputs, mdot = w * xdot_j + x_j * u and
//   gm = [G_i, sum_c H_i[c] r[c], sum_c H_i[c] mu_j[c]],
//   gm2 = [0, sum_c H_i[c] rdot[c], sum_c H_i[c] mudot_j[c]]:
//   dG_i += mdot^q,  dH_i[c] += mdot^R r[c] + m^R rdot[c] + mdot^mu mu_j[c] + m^mu mudot_j[c],
//   dx_j += gm * u + gm2 * w,  dmu_j[c] += H_i[c] mdot^mu,  ddir[c] += H_i[c] . mdot^R,
//   aw += gm * xdot_j + gm2 * x_j (gradient of w),  gmx += gm * x_j (gradient of u).
template <typename T>
void send_double_backward(const T* w, const T* u, const T* xj, const T* muj, const T* xdj,
                          const T* mudj, const T r[3], const T rd[3], const T* Gi,
                          const T* Hi, T* dGi, T* dHi, T* dxj, T* dmuj, T* ddir, T* aw,
                          T* gmx, T* buf, int64_t F) {
  T* hr = buf;            // sum_c H_i[c] r[c]
  T* hm = buf + F;        // sum_c H_i[c] mu_j[c]
  T* hrd = buf + 2 * F;   // sum_c H_i[c] rdot[c]
  T* hmd = buf + 3 * F;   // sum_c H_i[c] mudot_j[c]
  for (int64_t f = 0; f < F; ++f) {
    const T h0 = Hi[f], h1 = Hi[F + f], h2 = Hi[2 * F + f];
    hr[f] = h0 * r[0] + h1 * r[1] + h2 * r[2];
    hm[f] = h0 * muj[f] + h1 * muj[F + f] + h2 * muj[2 * F + f];
    hrd[f] = h0 * rd[0] + h1 * rd[1] + h2 * rd[2];
    hmd[f] = h0 * mudj[f] + h1 * mudj[F + f] + h2 * mudj[2 * F + f];
  }
  for (int64_t f = 0; f < F; ++f) {
    const int64_t fq = f, fr = F + f, fm = 2 * F + f;
    const T mdq = w[fq] * xdj[fq] + xj[fq] * u[fq];
    const T mdr = w[fr] * xdj[fr] + xj[fr] * u[fr];
    const T mdm = w[fm] * xdj[fm] + xj[fm] * u[fm];
    const T mr = w[fr] * xj[fr], mm = w[fm] * xj[fm];
    dGi[f] += mdq;
    for (int c = 0; c < 3; ++c) {
      dHi[c * F + f] += mdr * r[c] + mr * rd[c] + mdm * muj[c * F + f] + mm * mudj[c * F + f];
      dmuj[c * F + f] += Hi[c * F + f] * mdm;
    }
    dxj[fq] += Gi[f] * u[fq];
    dxj[fr] += hr[f] * u[fr] + hrd[f] * w[fr];
    dxj[fm] += hm[f] * u[fm] + hmd[f] * w[fm];
    aw[fq] += Gi[f] * xdj[fq];
    aw[fr] += hr[f] * xdj[fr] + hrd[f] * xj[fr];
    aw[fm] += hm[f] * xdj[fm] + hmd[f] * xj[fm];
    gmx[fq] += Gi[f] * xj[fq];
    gmx[fr] += hr[f] * xj[fr];
    gmx[fm] += hm[f] * xj[fm];
  }
  for (int c = 0; c < 3; ++c) {
    T acc = 0;
    for (int64_t f = 0; f < F; ++f) acc += Hi[c * F + f] * (w[F + f] * xdj[F + f] + xj[F + f] * u[F + f]);
    ddir[c] += acc;
  }
}

// Second derivatives of a block: tangents xd (N, 3F), mud (N, 3, F), u (P, 3F), rd (P, 3)
// (zeros where the cotangent is absent). Accumulates dG (N, F), dH (N, 3, F), dx (N, 3F),
// dmu (N, 3, F), ddir (P, 3), aw (P, 3F), gmx (P, 3F); both directions if half.
void message_double_backward(torch::Tensor G, torch::Tensor H, torch::Tensor x,
                             torch::Tensor mu, torch::Tensor w, torch::Tensor r,
                             torch::Tensor idx_i, torch::Tensor idx_j, bool half,
                             torch::Tensor xd, torch::Tensor mud, torch::Tensor u,
                             torch::Tensor rd, torch::Tensor dG, torch::Tensor dH,
                             torch::Tensor dx, torch::Tensor dmu, torch::Tensor ddir,
                             torch::Tensor aw, torch::Tensor gmx) {
  check_block(x, mu, w, r, idx_i, idx_j);
  for (auto* t : {&G, &H, &xd, &mud, &u, &rd, &dG, &dH, &dx, &dmu, &ddir, &aw, &gmx})
    check(*t, "second-derivative tensor");
  TORCH_CHECK(G.sizes() == dG.sizes() && G.sizes() == torch::IntArrayRef({mu.size(0), mu.size(2)}),
              "G, dG must be (N, F)");
  TORCH_CHECK(H.sizes() == mu.sizes() && mud.sizes() == mu.sizes() && dH.sizes() == mu.sizes() &&
                  dmu.sizes() == mu.sizes(),
              "H, mudot, dH, dmu must be (N, 3, F)");
  TORCH_CHECK(xd.sizes() == x.sizes() && dx.sizes() == x.sizes(), "xdot, dx must be (N, 3F)");
  TORCH_CHECK(u.sizes() == w.sizes() && aw.sizes() == w.sizes() && gmx.sizes() == w.sizes(),
              "u, aw, gmx must be (P, 3F)");
  TORCH_CHECK(rd.sizes() == r.sizes() && ddir.sizes() == r.sizes(), "rdot, ddir must be (P, 3)");
  const int64_t F = mu.size(2), P = w.size(0);
  const int64_t* ii = idx_i.data_ptr<int64_t>();
  const int64_t* jj = idx_j.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "painn_message_double_backward", [&] {
    using T = scalar_t;
    std::vector<T> buf(4 * F);
    const T *X = x.data_ptr<T>(), *M = mu.data_ptr<T>(), *W = w.data_ptr<T>();
    const T *R = r.data_ptr<T>(), *GQ = G.data_ptr<T>(), *HM = H.data_ptr<T>();
    const T *XD = xd.data_ptr<T>(), *MD = mud.data_ptr<T>(), *U = u.data_ptr<T>();
    const T* RD = rd.data_ptr<T>();
    T *DG = dG.data_ptr<T>(), *DH = dH.data_ptr<T>(), *DX = dx.data_ptr<T>();
    T *DM = dmu.data_ptr<T>(), *DD = ddir.data_ptr<T>(), *AW = aw.data_ptr<T>();
    T* GX = gmx.data_ptr<T>();
    for (int64_t p = 0; p < P; ++p) {
      const int64_t i = ii[p], j = jj[p];
      const T fwd[3] = {R[3 * p], R[3 * p + 1], R[3 * p + 2]};
      const T fwdd[3] = {RD[3 * p], RD[3 * p + 1], RD[3 * p + 2]};
      const T* wp = W + p * 3 * F;
      const T* up = U + p * 3 * F;
      send_double_backward<T>(wp, up, X + j * 3 * F, M + j * 3 * F, XD + j * 3 * F,
                              MD + j * 3 * F, fwd, fwdd, GQ + i * F, HM + i * 3 * F,
                              DG + i * F, DH + i * 3 * F, DX + j * 3 * F, DM + j * 3 * F,
                              DD + 3 * p, AW + p * 3 * F, GX + p * 3 * F, buf.data(), F);
      if (half) {
        const T rev[3] = {-fwd[0], -fwd[1], -fwd[2]};
        const T revd[3] = {-fwdd[0], -fwdd[1], -fwdd[2]};
        T back[3] = {0, 0, 0};
        send_double_backward<T>(wp, up, X + i * 3 * F, M + i * 3 * F, XD + i * 3 * F,
                                MD + i * 3 * F, rev, revd, GQ + j * F, HM + j * 3 * F,
                                DG + j * F, DH + j * 3 * F, DX + i * 3 * F, DM + i * 3 * F,
                                back, AW + p * 3 * F, GX + p * 3 * F, buf.data(), F);
        for (int c = 0; c < 3; ++c) DD[3 * p + c] -= back[c];
      }
    }
  });
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "cgexplain: fused PaiNN edge kernels (CPU)";
  m.def("message_forward", &message_forward, "PaiNN messages of a block of pairs (in place)");
  m.def("message_backward", &message_backward, "their backward pass (in place)");
  m.def("message_double_backward", &message_double_backward,
        "the backward pass of message_backward (in place)");
}
